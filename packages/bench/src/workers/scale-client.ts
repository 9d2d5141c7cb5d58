// Child process: one client drives N concurrent tasks (create + wait) to completion on the
// simulator, and reports wall time, memory and the handles it leaves behind.
import { performance } from 'node:perf_hooks'
import { createClient } from '@goapi/client'
import { txt2img } from '@goapi/flux'
import type { ScaleSample } from '../scale.js'

const { url, tasks, taskMs } = JSON.parse(process.argv[2] ?? '{}') as { url: string; tasks: number; taskMs?: number }
// The tasks' duration prior, as the spec gives one for GoAPI's models: the simulator's latency.
const duration = taskMs ? { typicalMs: taskMs, p90Ms: Math.round(taskMs * 1.1) } : undefined

function resources(): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const name of process.getActiveResourcesInfo()) counts[name] = (counts[name] ?? 0) + 1
  return counts
}

const requests = { create: 0, get: 0, other: 0 }
const goapi = createClient({
  apiKey: 'bench-key',
  baseUrl: url,
  fetch: (input, init) => {
    const method = (input instanceof Request ? input.method : (init?.method ?? 'GET')).toUpperCase()
    if (method === 'POST') requests.create++
    else if (method === 'GET') requests.get++
    else requests.other++
    return fetch(input, init)
  },
})

const before = resources()
const rssBefore = process.memoryUsage.rss()
let rssPeak = rssBefore
const sampler = setInterval(() => {
  rssPeak = Math.max(rssPeak, process.memoryUsage.rss())
}, 20)

const startEpoch = Date.now()
const start = performance.now()
const lags: number[] = []
let lastEndedAt = 0
const settled = await Promise.allSettled(
  Array.from({ length: tasks }, (_, i) =>
    txt2img(goapi, { prompt: `benchmark task ${i}` }, duration ? { duration } : {}).then((task) => {
      const ended = Date.parse(task.meta?.ended_at ?? '')
      lags.push(Date.now() - ended)
      lastEndedAt = Math.max(lastEndedAt, ended)
      if (!task.output.image_url && !task.output.image_urls?.length)
        throw new Error(`task ${task.task_id} completed without an image`)
      return task
    }),
  ),
)
const wallMs = performance.now() - start
clearInterval(sampler)
rssPeak = Math.max(rssPeak, process.memoryUsage.rss())
const after = resources()

const left: Record<string, number> = {}
for (const [name, n] of Object.entries(after)) if (n > (before[name] ?? 0)) left[name] = n - (before[name] ?? 0)
const failures = settled.filter((s): s is PromiseRejectedResult => s.status === 'rejected')
const first = failures[0]?.reason as unknown

const sample: ScaleSample = {
  tasks,
  completed: settled.length - failures.length,
  failed: failures.length,
  ...(first ? { firstError: first instanceof Error ? `${first.name}: ${first.message}` : String(first) } : {}),
  wallMs,
  lastCompletionMs: lastEndedAt - startEpoch,
  lagsMs: lags,
  requests,
  rssBeforeMb: rssBefore / 2 ** 20,
  rssPeakMb: rssPeak / 2 ** 20,
  handlesLeft: left,
}
process.send?.(sample, () => process.disconnect())

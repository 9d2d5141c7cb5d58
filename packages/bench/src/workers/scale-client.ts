// Child process: one client runs N concurrent txt2img tasks to completion on the canned server,
// records when it sent each request (the schedule the raw-fetch replay repeats) and reports the
// burst's CPU, wall time, memory and new resources.
import { performance } from 'node:perf_hooks'
import { createClient } from '@goapi/client'
import { txt2img } from '@goapi/flux'
import { buildSchedule, countingFetch, epochNow, measureBurst, type BurstFigures, type TaskSchedule } from '../burst.js'
import { CANNED_KEY, bodyText } from '../canned.js'

const { url, tasks, taskMs } = JSON.parse(process.argv[2] ?? '{}') as { url: string; tasks: number; taskMs: number }
// The prior a spec entry would give a model whose tasks take `taskMs`: the schedule then reflects
// the client under load, not a prior that is off by a factor (the polling measure covers that).
const duration = { typicalMs: taskMs, p90Ms: Math.round(taskMs * 1.1) }

const requests = { create: 0, get: 0, other: 0 }
const createsAt = new Map<number, number[]>()
const getsAt = new Map<string, number[]>()
let startedAt = 0
const counted = countingFetch(requests)
// Records each request as it leaves (a regex on the create body, a push per GET: microseconds in all).
const goapi = createClient({
  apiKey: CANNED_KEY,
  baseUrl: url,
  fetch: async (input, init) => {
    const method = (input instanceof Request ? input.method : (init?.method ?? 'GET')).toUpperCase()
    if (method === 'POST') {
      const at = performance.now() - startedAt
      const body = await bodyText(input, init)
      const i = Number(/benchmark task (\d+)/.exec(body)?.[1] ?? Number.NaN)
      createsAt.set(i, [...(createsAt.get(i) ?? []), at])
    } else if (method === 'GET') {
      const target = input instanceof Request ? input.url : String(input)
      const id = decodeURIComponent(/\/api\/v1\/task\/([^/?]+)/.exec(target)?.[1] ?? '')
      let list = getsAt.get(id)
      if (!list) getsAt.set(id, (list = []))
      list.push(epochNow())
    }
    return counted(input, init)
  },
})

const done: ({ id: string; createdAtMs: number } | undefined)[] = Array.from({ length: tasks }, () => undefined)
const figures: BurstFigures = await measureBurst(requests, (started) => {
  startedAt = started
  return Array.from({ length: tasks }, async (_, i) => {
    const task = await txt2img(goapi, { prompt: `benchmark task ${i}` }, { duration })
    const seenAtMs = epochNow()
    done[i] = { id: task.task_id, createdAtMs: Date.parse(task.meta?.created_at ?? '') }
    if (!task.output.image_url && !task.output.image_urls?.length)
      throw new Error(`task ${task.task_id} completed without an image`)
    return { completed: true, endedAtMs: Date.parse(task.meta?.ended_at ?? ''), seenAtMs }
  })
})
const schedule: TaskSchedule[] = buildSchedule(createsAt, getsAt, done)
process.send?.({ figures, schedule }, () => process.disconnect())

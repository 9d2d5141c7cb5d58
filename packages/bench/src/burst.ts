// What the two scale workers share: the measurement around a burst of tasks (CPU, wall, peak RSS,
// resources new afterwards), the request schedule the client run records, and the raw-fetch replay
// of that schedule (the baseline: the same requests at the same moments, without the client).
import { performance } from 'node:perf_hooks'
import { CANNED_KEY } from './canned.js'

/**
 * When one task's requests were sent: the create, ms from the start of the burst; each GET by the
 * task's age then (ms after the server's `meta.created_at`), so a replay sees the task in the same
 * state at each GET even if the server created it a little sooner or later than in the client run.
 */
export interface TaskSchedule {
  createAtMs: number
  getsAtAgeMs: number[]
}

/** What one finished task tells about the burst. */
export interface TaskOutcome {
  /** The server's `meta.ended_at`, epoch ms (NaN when the task was not seen completed). */
  endedAtMs: number
  /** When the caller had it, epoch ms. */
  seenAtMs: number
  completed: boolean
}

export interface BurstFigures {
  tasks: number
  completed: number
  failed: number
  firstError?: string
  /** CPU time of the process during the burst (user + system), ms. */
  cpuMs: number
  /** Start → every task settled, ms. */
  wallMs: number
  /** Start → the server completed the last task, ms. */
  lastCompletionMs: number
  /** Per task: completion → the caller has it, ms. */
  lagsMs: number[]
  requests: { create: number; get: number; other: number }
  rssBeforeMb: number
  rssPeakMb: number
  /** Handles and timers active 50 ms after the burst that were not before it. */
  newResources: Record<string, number>
}

/** Epoch ms with sub-ms precision, comparable across processes. */
export const epochNow = (): number => performance.timeOrigin + performance.now()

interface ResourceSnapshot {
  handles: Set<unknown>
  /** Counts of the non-handle resources (timers, immediates, requests) by type. */
  others: Record<string, number>
}

/** Libuv handles (sockets, servers, pipes, ...): objects, so they are compared by identity. */
function activeHandles(): unknown[] {
  const p = process as unknown as { _getActiveHandles?: () => unknown[] }
  return p._getActiveHandles?.() ?? []
}

/** How long after the last task the resources are listed, ms. */
export const SETTLE_MS = 50

const HANDLE_FREE_TYPES = /^(Timeout|Immediate)$|Req/

export function snapshotResources(): ResourceSnapshot {
  const others: Record<string, number> = {}
  for (const name of process.getActiveResourcesInfo())
    if (HANDLE_FREE_TYPES.test(name)) others[name] = (others[name] ?? 0) + 1
  return { handles: new Set(activeHandles()), others }
}

/** The resources of `after` not present in `before`: handles by identity, timers by count. */
export function newResources(before: ResourceSnapshot, after: ResourceSnapshot): Record<string, number> {
  const out: Record<string, number> = {}
  for (const h of after.handles) {
    if (before.handles.has(h)) continue
    const name = (h as { constructor?: { name?: string } } | null)?.constructor?.name || 'handle'
    out[name] = (out[name] ?? 0) + 1
  }
  for (const [name, n] of Object.entries(after.others)) {
    const extra = n - (before.others[name] ?? 0)
    if (extra > 0) out[name] = (out[name] ?? 0) + extra
  }
  return out
}

/** Counts the requests a `fetch` sends, by method. */
export function countingFetch(requests: BurstFigures['requests'], inner: typeof fetch = fetch): typeof fetch {
  return (input, init) => {
    const method = (input instanceof Request ? input.method : (init?.method ?? 'GET')).toUpperCase()
    if (method === 'POST') requests.create++
    else if (method === 'GET') requests.get++
    else requests.other++
    return inner(input, init)
  }
}

/**
 * Runs `tasks` (started together by `start`) and measures the process around them. The RSS is
 * sampled every 20 ms; CPU is process.cpuUsage() from before the start to the last task settled.
 */
export async function measureBurst(
  requests: BurstFigures['requests'],
  start: (startedAt: number) => Promise<TaskOutcome>[],
): Promise<BurstFigures> {
  const before = snapshotResources()
  const rssBefore = process.memoryUsage.rss()
  let rssPeak = rssBefore
  const sampler = setInterval(() => {
    rssPeak = Math.max(rssPeak, process.memoryUsage.rss())
  }, 20)
  const cpu0 = process.cpuUsage()
  const startEpoch = epochNow()
  const started = performance.now()
  const settled = await Promise.allSettled(start(started))
  const wallMs = performance.now() - started
  const cpu = process.cpuUsage(cpu0)
  clearInterval(sampler)
  rssPeak = Math.max(rssPeak, process.memoryUsage.rss())
  // Past a timers phase, so callbacks already queued (an Immediate of the last answer) have run.
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS))
  const after = snapshotResources()

  const outcomes = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []))
  const failures = settled.filter((s): s is PromiseRejectedResult => s.status === 'rejected')
  const first = failures[0]?.reason as unknown
  const done = outcomes.filter((o) => o.completed)
  return {
    tasks: settled.length,
    completed: done.length,
    failed: settled.length - done.length,
    ...(first ? { firstError: first instanceof Error ? `${first.name}: ${first.message}` : String(first) } : {}),
    cpuMs: (cpu.user + cpu.system) / 1000,
    wallMs,
    lastCompletionMs: Math.max(...done.map((o) => o.endedAtMs)) - startEpoch,
    lagsMs: done.map((o) => o.seenAtMs - o.endedAtMs),
    requests,
    rssBeforeMb: rssBefore / 2 ** 20,
    rssPeakMb: rssPeak / 2 ** 20,
    newResources: newResources(before, after),
  }
}

/**
 * The client run's schedule: task i's create (found by the index its prompt carries; a create sent
 * twice, a retry, counts once, at its first send) and the GETs of the task it got, by age.
 * @param createsAt per task index: when its creates were sent, ms from the start
 * @param getsAt per task id: when its GETs were sent, epoch ms
 * @param tasks per task index: its id and the server's `created_at`, epoch ms
 */
export function buildSchedule(
  createsAt: ReadonlyMap<number, readonly number[]>,
  getsAt: ReadonlyMap<string, readonly number[]>,
  tasks: readonly ({ id: string; createdAtMs: number } | undefined)[],
): TaskSchedule[] {
  return tasks.map((task, i) => {
    const sends = createsAt.get(i)
    if (!sends?.length) throw new Error(`task ${i}: no create was sent`)
    const gets = [...((task && getsAt.get(task.id)) || [])].sort((a, b) => a - b)
    return { createAtMs: Math.min(...sends), getsAtAgeMs: task ? gets.map((at) => at - task.createdAtMs) : [] }
  })
}

const until = (at: number) => {
  const ms = at - performance.now()
  return ms > 0 ? new Promise<void>((resolve) => setTimeout(resolve, ms)) : Promise.resolve()
}

interface Envelope {
  data?: { task_id?: string; status?: string; meta?: { created_at?: string; ended_at?: string } }
}

/**
 * The baseline: hand-written fetch calls sending exactly the scheduled requests at the scheduled
 * moments (each GET when the task it created is as old as in the client run). A task counts as
 * completed when its last GET saw it completed.
 */
export function replaySchedule(
  schedule: readonly TaskSchedule[],
  baseUrl: string,
  startedAt: number,
  fetchImpl: typeof fetch = fetch,
): Promise<TaskOutcome>[] {
  const headers = { 'x-api-key': CANNED_KEY }
  return schedule.map(async (task, i) => {
    await until(startedAt + task.createAtMs)
    const created = await fetchImpl(`${baseUrl}/api/v1/task`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'Qubico/flux1-schnell',
        task_type: 'txt2img',
        input: { prompt: `benchmark task ${i}` },
      }),
    })
    const body = (await created.json()) as Envelope
    const id = body.data?.task_id
    if (!created.ok || !id) throw new Error(`create failed: ${created.status}`)
    const createdAt = Date.parse(body.data?.meta?.created_at ?? '') - performance.timeOrigin
    if (!Number.isFinite(createdAt)) throw new Error(`task ${id} has no created_at`)
    let last: Envelope['data']
    for (const age of task.getsAtAgeMs) {
      await until(createdAt + age)
      const got = await fetchImpl(`${baseUrl}/api/v1/task/${encodeURIComponent(id)}`, { headers })
      last = ((await got.json()) as Envelope).data
      if (!got.ok) throw new Error(`get failed: ${got.status}`)
    }
    const completed = last?.status === 'completed'
    return {
      completed,
      endedAtMs: completed ? Date.parse(last?.meta?.ended_at ?? '') : Number.NaN,
      seenAtMs: epochNow(),
    }
  })
}

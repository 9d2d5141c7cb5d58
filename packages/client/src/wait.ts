// Polling until a task finishes: deadline, AbortSignal, progress callback and an ETA-aware schedule
// (sparse early, dense around the expected end, backing off when late), from a duration prior per
// (model, task type) refined by the tasks that completed in this process and by reported progress.
// A task feed (webhooks) ends the wait without polling; the clock is injectable for tests.
import type { UntypedTask } from '@goapi/types'
import {
  APIConnectionError,
  APIError,
  GoApiError,
  ResponseTooLargeError,
  TaskFailedError,
  TimeoutError,
} from './errors.js'
import { sleep } from './internal/sleep.js'
import { taskState } from './internal/status.js'

export type TaskKind = 'image' | 'video' | 'audio' | 'text' | 'model3d'

/** How long a task usually takes, creation → completion: the median and the 90th percentile. */
export interface TaskDuration {
  typicalMs: number
  p90Ms: number
}

/** Time as `wait()` sees it: real by default; tests and benchmarks pass a simulated one. */
export interface Clock {
  now(): number
  /** Resolves after `ms`, or rejects with `AbortError` when `signal` aborts (leaving no timer). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>
}

export const systemClock: Clock = { now: () => Date.now(), sleep }

export interface PollPolicy {
  /** Delay before the first check, in ms. Default 1000. */
  initialDelayMs: number
  /** Longest delay between checks, in ms. Default depends on the task kind (3 s for images and text, 15 s for video). */
  maxDelayMs: number
  /** Growth of the delay after each check. Default 1.3 for images and text, 1.5 for the slower kinds. */
  factor: number
  /** Random spread of each delay, 0..1 (0.2 = ±20%). Default 0.2. */
  jitter: number
}

/**
 * Tasks pushed from outside (verified webhooks, a proxy's events stream): a wait subscribed to its
 * task ends on the push, and polls only as a late safety net while the feed lasts.
 */
export interface TaskFeed {
  /**
   * Calls `listener` with every task pushed for `taskId`; returns the unsubscribe function. A feed
   * that can no longer deliver (a stream that broke) calls `lost`: the wait then polls at its usual
   * pace.
   */
  subscribe(taskId: string, listener: (task: UntypedTask) => void, lost?: () => void): () => void
}

export interface TaskFeedSource extends TaskFeed {
  /** Hands a task to the waits subscribed to its id (e.g. `verifyWebhook(...).data`). Others are ignored. */
  push(task: UntypedTask): void
}

/** A feed for webhooks: `push` each verified delivery's `data`; pass the feed as `wait: { feed }`. */
export function createTaskFeed(): TaskFeedSource {
  const listeners = new Map<string, Set<(task: UntypedTask) => void>>()
  return {
    subscribe(taskId, listener) {
      let set = listeners.get(taskId)
      if (!set) listeners.set(taskId, (set = new Set()))
      set.add(listener)
      return () => {
        set.delete(listener)
        if (set.size === 0 && listeners.get(taskId) === set) listeners.delete(taskId)
      }
    },
    push(task) {
      if (typeof task !== 'object' || task === null || typeof task.task_id !== 'string') return
      for (const listener of [...(listeners.get(task.task_id) ?? [])]) listener(task)
    },
  }
}

/**
 * Options of `wait()`/`run()`. `T` is the task `onProgress` receives: the typed `Task<M, T>` when
 * waiting for a task of a known (model, task type), else an `UntypedTask`.
 */
export interface WaitOptions<T = UntypedTask> {
  /** Overall deadline in ms (default 30 minutes). On expiry a `TimeoutError` carries the last task seen. */
  timeoutMs?: number
  /** Stops waiting (with `AbortError`) when aborted. The task itself keeps running. */
  signal?: AbortSignal
  /** Called with the task whenever its status or output changes. */
  onProgress?: (task: T) => void
  /**
   * A fixed backoff instead of the ETA schedule (any field given switches to it): checks after
   * `initialDelayMs`, growing by `factor` up to `maxDelayMs`, each ±`jitter`.
   */
  poll?: Partial<PollPolicy>
  /** What the task produces: the fallback duration prior and the longest delay between checks. */
  kind?: TaskKind
  /** The duration prior of this task (the generated task functions pass the spec's). */
  duration?: TaskDuration
  /** Where completed tasks refine the priors, per (model, task type). Default: one per process. */
  durations?: DurationEstimates
  /**
   * Pushed tasks (webhooks): the wait ends on a push and polls only as a late safety net (not at a
   * fixed `poll` pace) until the feed is lost. A proxy client's default: the proxy's events stream.
   */
  feed?: TaskFeed
  /** The clock (default: real time). */
  clock?: Clock
  /** Cancel the task (best effort) when the deadline passes. Default false. */
  cancelOnTimeout?: boolean
}

// Images and text usually finish within seconds to a minute: a gentle growth and a 3 s cap notice
// completion about 1.5 s late on average, still far fewer checks than a fixed 500 ms poller.
// Video, audio and 3D take minutes: they back off faster and further.
const PACE_BY_KIND: Record<TaskKind, { maxDelayMs: number; factor: number }> = {
  image: { maxDelayMs: 3_000, factor: 1.3 },
  text: { maxDelayMs: 3_000, factor: 1.3 },
  audio: { maxDelayMs: 8_000, factor: 1.5 },
  video: { maxDelayMs: 15_000, factor: 1.5 },
  model3d: { maxDelayMs: 10_000, factor: 1.5 },
}

/** Estimated priors for a task whose spec gives none (wide on purpose: see spec/README.md). */
export const DURATION_BY_KIND: Record<TaskKind, TaskDuration> = {
  image: { typicalMs: 10_000, p90Ms: 30_000 },
  text: { typicalMs: 5_000, p90Ms: 15_000 },
  audio: { typicalMs: 60_000, p90Ms: 180_000 },
  video: { typicalMs: 180_000, p90Ms: 480_000 },
  model3d: { typicalMs: 120_000, p90Ms: 300_000 },
}

export function pollPolicy(kind: TaskKind | undefined, overrides: Partial<PollPolicy> | undefined): PollPolicy {
  return {
    initialDelayMs: 1_000,
    ...PACE_BY_KIND[kind ?? 'image'],
    jitter: 0.2,
    ...overrides,
  }
}

/** The delay before check number `attempt` (0-based) of a fixed backoff, jittered and capped. */
export function pollDelay(policy: PollPolicy, attempt: number, random: () => number = Math.random): number {
  const base = Math.min(policy.maxDelayMs, policy.initialDelayMs * policy.factor ** attempt)
  const spread = base * policy.jitter * (random() * 2 - 1)
  return Math.max(0, Math.min(policy.maxDelayMs, Math.round(base + spread)))
}

/** The shortest delay between two checks of the ETA schedule, ms. */
export const MIN_POLL_DELAY_MS = 250
/**
 * The cost of one check in ms of lag: the dense step is the square-root rule's
 * √(2 · cost · window), the interval that minimises lag + cost · checks when the end falls evenly
 * within the window (about 2.4 s for a 60 s window, 1.1 s for 12 s, 250 ms for under 0.6 s).
 */
const CHECK_COST_MS = 50
const EARLY_JITTER = 0.1
/** z(95%) ÷ z(90%) of a normal: the window's reach in log-time, in units of log(p90 / typical). */
const LOG_WINDOW = 1.2835518102372034 // 1.645 / 1.2816, written out so bundlers can drop it unused

/**
 * Where the prior expects the end: [lo, hi] around the typical duration, and the step inside it.
 * Durations are skewed to the right (a task can take three times its median, never zero time), so
 * the window is that of a log-normal with the prior's median and 90th percentile, from its 5th to
 * its 95th percentile: typical ÷ r^1.28 to typical × r^1.28, r = p90 / typical (at least 1.02).
 */
export function etaWindow(prior: TaskDuration, maxDelayMs: number): { lo: number; hi: number; step: number } {
  const typical = Math.max(0, prior.typicalMs)
  const reach = Math.max(prior.p90Ms / typical || 0, 1.02) ** LOG_WINDOW
  const lo = Math.round(typical / reach)
  const hi = Math.round(Math.max(typical * reach, typical + 50))
  const step = Math.min(maxDelayMs, Math.max(MIN_POLL_DELAY_MS, Math.sqrt(2 * CHECK_COST_MS * (hi - lo))))
  return { lo, hi, step: Math.round(step) }
}

/**
 * The delay before the next check of a task `elapsedMs` old, under `prior`: before the window,
 * checks at 1/8, 1/4, 1/2 of its start and at its start (catching early failures, ±10% jitter);
 * inside it, every `step`; after it, a quarter of the lateness (at least `step`, at most `maxDelayMs`).
 * With a feed, only the safety net: a first check at the window's end, then growing.
 */
export function etaDelay(
  prior: TaskDuration,
  elapsedMs: number,
  maxDelayMs: number,
  options: { feed?: boolean; random?: () => number } = {},
): number {
  const { lo, hi, step } = etaWindow(prior, maxDelayMs)
  const elapsed = Math.max(0, elapsedMs)
  if (options.feed) {
    if (elapsed < hi) return Math.round(hi - elapsed)
    return Math.round(Math.min(60_000, Math.max(step, maxDelayMs, (elapsed - hi) * 0.5)))
  }
  if (elapsed + MIN_POLL_DELAY_MS < lo) {
    const next = Math.min(lo, Math.max(elapsed * 2, lo / 8, MIN_POLL_DELAY_MS))
    // The last step to the window lands on it: jittered, it would fall short and add a check.
    if (next >= lo) return Math.round(lo - elapsed)
    const jitter = 1 + EARLY_JITTER * ((options.random ?? Math.random)() * 2 - 1)
    return Math.round(Math.max(MIN_POLL_DELAY_MS, Math.min(lo - elapsed, (next - elapsed) * jitter)))
  }
  if (elapsed < hi) return step
  return Math.round(Math.min(maxDelayMs, Math.max(step, (elapsed - hi) * 0.25)))
}

const MAX_PAIRS = 512
const LEARN_FLOOR = 0.125 // 1/8

/**
 * Duration estimates per (model, task type), learned from completed tasks: a running mean and mean
 * deviation (the prior counts as one sample, then an EWMA with weight 1/8), like TCP's RTT estimate.
 * Bounded: at most 512 pairs, the oldest forgotten first.
 */
export class DurationEstimates {
  readonly #pairs = new Map<string, { mean: number; dev: number; n: number }>()

  /** The current estimate of a pair, or `undefined` when no task of it completed here. */
  get(model: string, taskType: string): TaskDuration | undefined {
    const s = this.#pairs.get(`${model}\u0000${taskType}`)
    if (!s) return undefined
    // The 90th percentile of an even spread is the mean + 1.6 mean deviations; never under 5%.
    return { typicalMs: Math.round(s.mean), p90Ms: Math.round(s.mean + Math.max(1.6 * s.dev, 0.05 * s.mean)) }
  }

  /** Records that a task of the pair took `ms`, starting from `prior` for a new pair. */
  observe(model: string, taskType: string, ms: number, prior: TaskDuration): void {
    if (!Number.isFinite(ms) || ms < 0) return
    const key = `${model}\u0000${taskType}`
    const s = this.#pairs.get(key) ?? {
      mean: prior.typicalMs,
      dev: Math.max(0, prior.p90Ms - prior.typicalMs) / 1.6,
      n: 1,
    }
    s.n++
    const w = Math.max(1 / s.n, LEARN_FLOOR)
    s.dev += (Math.abs(ms - s.mean) - s.dev) * w
    s.mean += (ms - s.mean) * w
    this.#pairs.delete(key)
    this.#pairs.set(key, s)
    if (this.#pairs.size > MAX_PAIRS) this.#pairs.delete(this.#pairs.keys().next().value as string)
  }

  clear(): void {
    this.#pairs.clear()
  }
}

/** The estimates `wait()` uses unless given others: shared by every client of this process. */
export const taskDurations = /* @__PURE__ */ new DurationEstimates()

/** A reported progress (0–100, e.g. Midjourney's `output.progress`) strictly between start and end. */
function progressOf(task: UntypedTask): number | undefined {
  const output = task.output as { progress?: unknown } | null | undefined
  const p = typeof output === 'object' && output !== null ? output.progress : undefined
  return typeof p === 'number' && p > 0 && p < 100 ? p : undefined
}

export const DEFAULT_WAIT_TIMEOUT_MS = 1_800_000 // 30 minutes

/**
 * The task's status and output as one string, to notice changes. An output too deeply nested to
 * serialise (possible only past the client's depth cap) is told apart by its status alone.
 */
export function fingerprint(task: UntypedTask): string {
  try {
    return `${task.status}|${JSON.stringify(task.output ?? null)}`
  } catch {
    return `${task.status}|`
  }
}

/** Whether an error while polling is worth another try (the task itself is not affected). */
export function isTransient(error: unknown): boolean {
  if (!(error instanceof GoApiError) || error instanceof ResponseTooLargeError) return false
  if (error instanceof APIConnectionError || error instanceof TimeoutError) return true
  return error.status === 408 || error.status === 429 || (error.status !== undefined && error.status >= 500)
}

export interface WaitDeps {
  /** Reads the task once; `remainingMs` is what is left of the deadline (a bound for the request). */
  get: (taskId: string, signal: AbortSignal | undefined, remainingMs: number) => Promise<UntypedTask>
  cancel: (taskId: string) => Promise<unknown>
  /** Optional log line sink (the client's logger). */
  log?: (level: 'debug' | 'warn', message: string) => void
}

export async function waitForTask(
  deps: WaitDeps,
  first: UntypedTask | string,
  options: WaitOptions = {},
): Promise<UntypedTask> {
  const taskId = typeof first === 'string' ? first : first.task_id
  const clock = options.clock ?? systemClock
  const fixed = options.poll && Object.values(options.poll).some((v) => v !== undefined) ? options.poll : undefined
  const policy = pollPolicy(options.kind, fixed)
  const estimates = options.durations ?? taskDurations
  const timeoutMs = options.timeoutMs ?? DEFAULT_WAIT_TIMEOUT_MS
  const started = clock.now()
  const deadline = started + timeoutMs
  let last: UntypedTask | undefined = typeof first === 'string' ? undefined : first
  let seen = last ? fingerprint(last) : ''
  if (last) options.onProgress?.(last)

  // The prior: this pair's estimate learned here, else the one given, else the kind's. A task
  // handed over just created is 0 ms old; one of unknown age is assumed due (the window's start).
  const model = typeof last?.model === 'string' ? last.model : undefined
  const taskType = typeof last?.task_type === 'string' ? last.task_type : undefined
  const given = options.duration ?? DURATION_BY_KIND[options.kind ?? 'image']
  let prior = (model && taskType ? estimates.get(model, taskType) : undefined) ?? given
  const fresh = last !== undefined && taskState(last.status) === 'pending'
  const age = fresh ? 0 : etaWindow(prior, policy.maxDelayMs).lo
  let lastDelay = 0

  /** `lag`: how long after its end the task is seen, on average (half a step when polled). */
  const settle = (task: UntypedTask, lag = 0): UntypedTask | undefined => {
    const state = taskState(task.status)
    if (state === 'completed') {
      if (fresh && model && taskType && task.model === model && task.task_type === taskType)
        estimates.observe(model, taskType, clock.now() - started - lag, given)
      return task
    }
    if (state === 'failed') throw new TaskFailedError(task)
    return undefined
  }
  const see = (task: UntypedTask, lag: number): UntypedTask | undefined => {
    last = task
    const print = fingerprint(task)
    if (print !== seen) {
      seen = print
      options.onProgress?.(task)
    }
    // Reported progress moves the expected end: linear from here, ±10%.
    const progress = fresh ? progressOf(task) : undefined
    if (progress !== undefined) {
      const elapsed = clock.now() - started
      const end = Math.max(elapsed, (elapsed * 100) / progress)
      prior = { typicalMs: end, p90Ms: end * 1.1 }
    }
    return settle(task, lag)
  }
  if (last) {
    const done = settle(last)
    if (done) return done
  }

  // A push (or the feed's loss) wakes the sleep: while a feed lasts each sleep gets its own
  // controller (there are few).
  let pushed: UntypedTask | undefined
  let wake: (() => void) | undefined
  let fed = options.feed !== undefined
  const unsubscribe = options.feed?.subscribe(
    taskId,
    (task) => {
      pushed = task
      wake?.()
    },
    () => {
      fed = false
      wake?.()
    },
  )
  const nap = async (ms: number): Promise<void> => {
    if (!fed) return clock.sleep(ms, options.signal)
    if (pushed) return
    const outer = options.signal
    const controller = new AbortController()
    const onAbort = () => controller.abort(outer?.reason)
    if (outer?.aborted) onAbort()
    outer?.addEventListener('abort', onAbort, { once: true })
    wake = () => controller.abort()
    try {
      await clock.sleep(ms, controller.signal)
    } catch (error) {
      if ((!pushed && fed) || outer?.aborted) throw error
    } finally {
      wake = undefined
      outer?.removeEventListener('abort', onAbort)
    }
  }

  try {
    /** A wait the server asked for (Retry-After), applied before the next check. */
    let pause = 0
    for (let attempt = 0; ; attempt++) {
      if (pushed) {
        const task = pushed
        pushed = undefined
        const done = see(task, 0)
        if (done) return done
      }
      const remaining = deadline - clock.now()
      if (remaining <= 0) {
        if (options.cancelOnTimeout) await deps.cancel(taskId).catch(() => undefined)
        throw new TimeoutError(
          `Gave up waiting for task ${taskId} after ${timeoutMs} ms (last status: ${last?.status || 'unknown'}); ` +
            `it keeps running on GoAPI${options.cancelOnTimeout ? ' unless the cancel succeeded' : ''}.`,
          { taskId, task: last },
        )
      }
      const delay =
        fixed && !fed
          ? pollDelay(policy, attempt)
          : etaDelay(prior, age + clock.now() - started, policy.maxDelayMs, { feed: fed })
      lastDelay = Math.min(Math.max(pause, delay), remaining)
      await nap(lastDelay)
      pause = 0
      if (pushed) continue
      const left = deadline - clock.now()
      if (left <= 0) continue
      let task: UntypedTask
      try {
        task = await deps.get(taskId, options.signal, left)
      } catch (error) {
        if (isTransient(error)) {
          // A sane Retry-After (429/503) that ends before the deadline is waited for; any other falls
          // back to the polling pace.
          const after = error instanceof APIError ? error.retryAfterMs : undefined
          if (after !== undefined && after < deadline - clock.now()) pause = after
          const next = pause > 0 ? `in ${pause} ms (Retry-After)` : 'at the polling pace'
          deps.log?.('warn', `polling task ${taskId} failed (${(error as Error).message}); trying again ${next}`)
          continue
        }
        throw error
      }
      const done = see(task, lastDelay / 2)
      if (done) return done
    }
  } finally {
    unsubscribe?.()
  }
}

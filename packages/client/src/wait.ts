// Polling until a task finishes: deadline, AbortSignal, progress callback, capped exponential
// backoff with jitter that starts fast and is paced by what the task produces.
import type { UntypedTask } from '@goapi/types'
import { APIError, GoApiError, ResponseTooLargeError, TaskFailedError, TimeoutError } from './errors.js'
import { sleep } from './internal/sleep.js'
import { taskState } from './internal/status.js'

export type TaskKind = 'image' | 'video' | 'audio' | 'text' | 'model3d'

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
  /** Overrides of the polling pace. */
  poll?: Partial<PollPolicy>
  /** What the task produces; paces polling when `poll.maxDelayMs` is not given. */
  kind?: TaskKind
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

export function pollPolicy(kind: TaskKind | undefined, overrides: Partial<PollPolicy> | undefined): PollPolicy {
  return {
    initialDelayMs: 1_000,
    ...PACE_BY_KIND[kind ?? 'image'],
    jitter: 0.2,
    ...overrides,
  }
}

/** The delay before check number `attempt` (0-based), jittered and capped. */
export function pollDelay(policy: PollPolicy, attempt: number, random: () => number = Math.random): number {
  const base = Math.min(policy.maxDelayMs, policy.initialDelayMs * policy.factor ** attempt)
  const spread = base * policy.jitter * (random() * 2 - 1)
  return Math.max(0, Math.min(policy.maxDelayMs, Math.round(base + spread)))
}

export const DEFAULT_WAIT_TIMEOUT_MS = 30 * 60_000

class Token {
  constructor(readonly text: string) {}
}

/**
 * The task's status and output as one string, to notice changes: JSON-like, built without
 * recursion (a deeply nested output cannot overflow the stack).
 */
function fingerprint(task: UntypedTask): string {
  const out: string[] = [String(task.status), '|']
  const stack: unknown[] = [task.output ?? null]
  while (stack.length > 0) {
    const v = stack.pop()
    if (v instanceof Token) out.push(v.text)
    else if (Array.isArray(v)) {
      stack.push(new Token(']'))
      for (let j = v.length - 1; j >= 0; j--) stack.push(v[j] as unknown, new Token(j ? ',' : ''))
      out.push('[')
    } else if (typeof v === 'object' && v !== null) {
      const entries = Object.entries(v)
      stack.push(new Token('}'))
      for (let j = entries.length - 1; j >= 0; j--) {
        const [k, value] = entries[j] as [string, unknown]
        stack.push(value, new Token(`${j ? ',' : ''}${JSON.stringify(k)}:`))
      }
      out.push('{')
    } else out.push(JSON.stringify(v) ?? 'null')
  }
  return out.join('')
}

/** Whether an error while polling is worth another try (the task itself is not affected). */
function isTransient(error: unknown): boolean {
  if (!(error instanceof GoApiError) || error instanceof ResponseTooLargeError) return false
  if (error.name === 'APIConnectionError' || error.name === 'TimeoutError') return true
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
  const policy = pollPolicy(options.kind, options.poll)
  const timeoutMs = options.timeoutMs ?? DEFAULT_WAIT_TIMEOUT_MS
  const deadline = Date.now() + timeoutMs
  let last: UntypedTask | undefined = typeof first === 'string' ? undefined : first
  let seen = last ? fingerprint(last) : ''
  if (last) options.onProgress?.(last)

  const settle = (task: UntypedTask): UntypedTask | undefined => {
    const state = taskState(task.status)
    if (state === 'completed') return task
    if (state === 'failed') throw new TaskFailedError(task)
    return undefined
  }
  if (last) {
    const done = settle(last)
    if (done) return done
  }

  /** A wait the server asked for (Retry-After), applied before the next check. */
  let pause = 0
  for (let attempt = 0; ; attempt++) {
    const remaining = deadline - Date.now()
    if (remaining <= 0) {
      if (options.cancelOnTimeout) await deps.cancel(taskId).catch(() => undefined)
      throw new TimeoutError(
        `Gave up waiting for task ${taskId} after ${timeoutMs} ms (last status: ${last?.status || 'unknown'}). ` +
          `The task keeps running on GoAPI${options.cancelOnTimeout ? ' unless the cancel succeeded' : ''}: get it again later with its id.`,
        { taskId, task: last },
      )
    }
    await sleep(Math.min(Math.max(pause, pollDelay(policy, attempt)), remaining), options.signal)
    pause = 0
    const left = deadline - Date.now()
    if (left <= 0) continue
    let task: UntypedTask
    try {
      task = await deps.get(taskId, options.signal, left)
    } catch (error) {
      if (isTransient(error)) {
        // A sane Retry-After (429/503) that ends before the deadline is waited for; any other falls
        // back to the polling pace.
        const after = error instanceof APIError ? error.retryAfterMs : undefined
        if (after !== undefined && after < deadline - Date.now()) pause = after
        const next = pause > 0 ? `in ${pause} ms (Retry-After)` : 'at the polling pace'
        deps.log?.('warn', `polling task ${taskId} failed (${(error as Error).message}); trying again ${next}`)
        continue
      }
      throw error
    }
    last = task
    const print = fingerprint(task)
    if (print !== seen) {
      seen = print
      options.onProgress?.(task)
    }
    const done = settle(task)
    if (done) return done
  }
}

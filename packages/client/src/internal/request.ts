// Runs one HTTP exchange with a per-request timeout and the caller's AbortSignal, and tells
// network failures apart from answers. Timers and listeners are always cleaned up.
import { GoApiError, TimeoutError } from '../errors.js'
import { abortError } from './sleep.js'

/** Thrown by the wrapped fetch when no answer came back (refused, reset, DNS, ...). */
export class NetworkFailure extends Error {
  constructor(readonly original: unknown) {
    super(original instanceof Error ? original.message : String(original))
  }
}

/** What one attempt saw: whether an HTTP answer (headers) came back. */
export interface AttemptState {
  responded: boolean
  status: number | undefined
}

function expire(attempt: Attempt): void {
  attempt.timedOut = true
  attempt.stop(new Error('timeout'))
}

/**
 * One attempt of a request: `signal` (for `fetch` and the body read) aborts when the caller's
 * signal does or after `timeoutMs`, and {@link Attempt.failure} maps those aborts to `AbortError` /
 * `TimeoutError`. One object per attempt, which is its own abort listener and timer argument (no
 * closures); {@link Attempt.end} clears both. Throws `AbortError` if the caller's signal is already
 * aborted.
 */
export class Attempt implements AttemptState {
  readonly signal: AbortSignal
  responded = false
  status: number | undefined = undefined
  timedOut = false
  private readonly controller = new AbortController()
  private readonly timer: ReturnType<typeof setTimeout> | undefined
  private fail: ((reason: unknown) => void) | undefined

  constructor(
    readonly timeoutMs: number,
    private readonly caller: AbortSignal | undefined,
  ) {
    if (caller?.aborted) throw abortError(caller)
    this.signal = this.controller.signal
    caller?.addEventListener('abort', this, { once: true })
    this.timer = Number.isFinite(timeoutMs) && timeoutMs > 0 ? setTimeout(expire, timeoutMs, this) : undefined
  }

  /** The caller's signal aborted. */
  handleEvent(): void {
    this.stop(this.caller?.reason)
  }

  stop(reason: unknown): void {
    this.controller.abort(reason)
    this.fail?.(reason)
  }

  /** `work`, settled at the abort even if a custom `fetch` ignores the signal: never hang. */
  race<T>(work: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.fail = reject
      work.then(resolve, reject)
    })
  }

  /** The error to throw for `error`: `TimeoutError` / `AbortError` if this attempt was aborted. */
  failure(error: unknown, what: string): unknown {
    if (this.timedOut) return new TimeoutError(`${what} timed out after ${this.timeoutMs} ms`, { cause: error })
    if (this.caller?.aborted) return abortError(this.caller)
    return error
  }

  /** Clears the timer and the listener; call once the attempt settled. */
  end(): void {
    if (this.timer !== undefined) clearTimeout(this.timer)
    this.caller?.removeEventListener('abort', this)
  }
}

/** The error a failed `fetch` ends an attempt with: the guard's typed errors are answers; anything else is a {@link NetworkFailure}. */
export function fetchFailure(error: unknown, state: AttemptState): unknown {
  // The guard's typed errors (a redirect not followed, a Content-Length too large) are answers.
  if (!(error instanceof GoApiError)) return new NetworkFailure(error)
  state.responded = true
  return error
}

/**
 * Calls `fn` with a signal that aborts when the caller's `signal` does or after `timeoutMs`.
 * Maps those aborts to `AbortError` / `TimeoutError`.
 */
export async function withDeadline<T>(
  timeoutMs: number,
  signal: AbortSignal | undefined,
  what: string,
  fn: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const attempt = new Attempt(timeoutMs, signal)
  try {
    return await attempt.race(fn(attempt.signal))
  } catch (error) {
    throw attempt.failure(error, what)
  } finally {
    attempt.end()
  }
}

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

/**
 * Wraps `fetch` so network failures become {@link NetworkFailure} and answers are recorded in `state`.
 * The attempt's `signal` is given to `fetch` in `init`, not to the `Request` openapi-fetch builds:
 * `fetch` copies its input into a new `Request` anyway, and a signal on both would be followed twice.
 */
export function attemptFetch(base: typeof fetch, state: AttemptState, signal: AbortSignal): typeof fetch {
  return async (input, init) => {
    let response: Response
    try {
      response = await base(input, init ? { ...init, signal } : { signal })
    } catch (error) {
      // The guard's typed errors (a redirect not followed, a Content-Length too large) are answers.
      if (error instanceof GoApiError) {
        state.responded = true
        throw error
      }
      throw new NetworkFailure(error)
    }
    state.responded = true
    state.status = response.status
    return response
  }
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
  if (signal?.aborted) throw abortError(signal)
  const controller = new AbortController()
  let timedOut = false
  // Settles the attempt at the abort even if a custom `fetch` ignores the signal: never hang.
  let fail: (reason: unknown) => void = () => undefined
  const stop = (reason: unknown) => {
    controller.abort(reason)
    fail(reason)
  }
  const onAbort = () => stop(signal?.reason)
  signal?.addEventListener('abort', onAbort, { once: true })
  const timer =
    Number.isFinite(timeoutMs) && timeoutMs > 0
      ? setTimeout(() => {
          timedOut = true
          stop(new Error('timeout'))
        }, timeoutMs)
      : undefined
  try {
    return await new Promise<T>((resolve, reject) => {
      fail = reject
      fn(controller.signal).then(resolve, reject)
    })
  } catch (error) {
    if (timedOut) throw new TimeoutError(`${what} timed out after ${timeoutMs} ms`, { cause: error })
    if (signal?.aborted) throw abortError(signal)
    throw error
  } finally {
    if (timer !== undefined) clearTimeout(timer)
    signal?.removeEventListener('abort', onAbort)
  }
}

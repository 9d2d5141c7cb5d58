// What a failed call means, for a read (GET/DELETE) and for a create (POST): retry it, fail over
// to the next host, or give up; and when a create's outcome is unknown. Shared by both clients.
import {
  type CreationUnknownReason,
  APIConnectionError,
  APIError,
  AbortError,
  GoApiError,
  InternalServerError,
  RateLimitError,
  RedirectError,
  ResponseTooLargeError,
  TaskCreationUnknownError,
  TimeoutError,
} from '../errors.js'

export interface Decision {
  /** The error to throw when the call gives up (for a create that may exist: `TaskCreationUnknownError`). */
  error: GoApiError
  retry: boolean
  failover: boolean
  retryAfterMs?: number
}

/**
 * The `TaskCreationUnknownError` for a create that failed with `error`, when the task may exist:
 * the request may have reached GoAPI and no usable answer came back. `undefined` when the create
 * provably failed (a 4xx, a 429, a connection never made) or was aborted.
 */
export function unknownCreation(error: unknown): TaskCreationUnknownError | undefined {
  const status = error instanceof APIError ? error.status : 0
  const reason: CreationUnknownReason | undefined =
    // An answer too large, redirected elsewhere (3xx) or not JSON (2xx) still came from the server.
    error instanceof ResponseTooLargeError
      ? 'invalid-response'
      : error instanceof APIConnectionError
        ? error.mayHaveReachedServer
          ? 'connection'
          : undefined
        : error instanceof TimeoutError
          ? 'timeout'
          : error instanceof InternalServerError && error.body === undefined && /Invalid JSON/.test(error.message)
            ? 'invalid-response'
            : status === 408 || status >= 500
              ? 'server-error'
              : status && status < 400
                ? 'invalid-response'
                : undefined
  return reason && new TaskCreationUnknownError(reason, error as GoApiError)
}

/** The policy for `error`, or `undefined` when it is final as it is (an abort, a 4xx, a non-GoAPI error). */
export function decide(error: unknown, method: string): Decision | undefined {
  if (!(error instanceof GoApiError) || error instanceof AbortError) return undefined
  const { status, retryAfterMs } = error as { status?: number; retryAfterMs?: number }
  if (error instanceof RateLimitError) return { error, retry: true, failover: false, retryAfterMs }
  if (method === 'POST') {
    // A create that may have reached GoAPI is never sent again: its outcome is unknown. Failing
    // over still helps the next call when the host is at fault.
    const unknown = unknownCreation(error)
    if (unknown) {
      const failover = unknown.reason === 'connection' || (unknown.reason === 'server-error' && status !== 408)
      return { error: unknown, retry: false, failover }
    }
  }
  // An answer too large or redirected elsewhere will not change by asking again.
  if (error instanceof ResponseTooLargeError || error instanceof RedirectError) return undefined
  if (error instanceof APIConnectionError || error instanceof TimeoutError)
    return { error, retry: true, failover: true }
  if (!(error instanceof APIError)) return undefined
  if (status === 408) return { error, retry: true, failover: false }
  return error.status >= 500 ? { error, retry: true, failover: true, retryAfterMs } : undefined
}

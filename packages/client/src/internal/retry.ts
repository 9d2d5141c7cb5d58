// The retry policy of single API calls: which failures are worth another try, and how long to wait.

export interface RetryPolicy {
  /** Extra attempts after the first. 0 disables retries (and failover). Default 2. */
  maxRetries: number
  /** Backoff before the first retry, in ms (doubled each retry, with jitter). Default 500. */
  initialDelayMs: number
  /** Longest backoff between attempts, in ms. Default 8 000. */
  maxDelayMs: number
  /** A `Retry-After` longer than this (ms) is not waited for: the error is thrown instead. Default 60 000. */
  maxRetryAfterMs: number
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxRetries: 2,
  initialDelayMs: 500,
  maxDelayMs: 8_000,
  maxRetryAfterMs: 60_000,
}

/** Exponential backoff with "equal jitter": between half and all of the capped exponential delay. */
export function backoffDelay(policy: RetryPolicy, retry: number, random: () => number = Math.random): number {
  const base = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** retry)
  return Math.round(base / 2 + (random() * base) / 2)
}

/** Error codes that prove the request never reached the server. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME', 'UND_ERR_CONNECT_TIMEOUT'])

/** The system error codes found along an error's `cause` chain (and inside `AggregateError`s). */
export function errorCodes(error: unknown, depth = 0): string[] {
  if (depth > 5 || typeof error !== 'object' || error === null) return []
  const out: string[] = []
  const { code, cause, errors } = error as { code?: unknown; cause?: unknown; errors?: unknown }
  if (typeof code === 'string') out.push(code)
  if (Array.isArray(errors)) for (const e of errors) out.push(...errorCodes(e, depth + 1))
  out.push(...errorCodes(cause, depth + 1))
  return out
}

/** Whether a fetch failure proves the request was never sent (every code found is a "not sent" one). */
export function provablyNotSent(codes: string[]): boolean {
  return codes.length > 0 && codes.every((c) => NOT_SENT_CODES.has(c))
}

// Turns openapi-fetch results into typed values or typed errors.
import {
  APIConnectionError,
  APIError,
  AuthenticationError,
  InsufficientCreditsError,
  InternalServerError,
  InvalidRequestError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
} from '../errors.js'
import { redact } from './redact.js'

interface Envelope {
  code?: unknown
  message?: unknown
  data?: unknown
}

function envelope(body: unknown): Envelope {
  return typeof body === 'object' && body !== null ? (body as Envelope) : {}
}

/** `Retry-After` as milliseconds: seconds or an HTTP date. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined
  const seconds = Number(value)
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000)
  const date = Date.parse(value)
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}

/** The typed error for an HTTP error answer. The API key is scrubbed from everything kept. */
export function errorFromResponse(response: Response, rawBody: unknown, apiKey: string, taskId?: string): APIError {
  const body = redact(rawBody, apiKey)
  const env = envelope(body)
  const status = response.status
  const apiMessage =
    typeof env.message === 'string' ? env.message : typeof body === 'string' && body.length < 500 ? body : undefined
  const code = typeof env.code === 'number' ? env.code : undefined
  const what = `${response.status}${response.statusText ? ` ${response.statusText}` : ''}`
  const message = `GoAPI answered ${what}${apiMessage ? `: ${apiMessage}` : ''}${taskId ? ` (task ${taskId})` : ''}`
  const options = { status, code, apiMessage, taskId, body }
  if (
    status === 402 ||
    (apiMessage && /insufficient (credit|balance|quota)|not enough (credit|balance)/i.test(apiMessage))
  ) {
    return new InsufficientCreditsError(message, options)
  }
  if (status === 400 || status === 422) return new InvalidRequestError(message, options)
  if (status === 401) return new AuthenticationError(message, options)
  if (status === 403) return new PermissionDeniedError(message, options)
  if (status === 404) return new NotFoundError(message, options)
  if (status === 429)
    return new RateLimitError(message, {
      ...options,
      retryAfterMs: parseRetryAfter(response.headers.get('retry-after')),
    })
  if (status >= 500) return new InternalServerError(message, options)
  return new APIError(message, options)
}

/**
 * The `data` of a successful envelope; a missing `data` is an error (GoAPI answered oddly), whose
 * kept body has the API key scrubbed. `subject` names what was missing in the message.
 */
export function dataFromBody(response: Response, rawBody: unknown, apiKey: string, subject = 'a task'): unknown {
  const env = envelope(rawBody)
  if (env.data !== undefined && env.data !== null && typeof env.data === 'object') return env.data
  const body = redact(rawBody, apiKey)
  const safe = envelope(body)
  throw new APIError(`GoAPI answered ${response.status} without ${subject} in the body`, {
    status: response.status,
    body,
    code: typeof safe.code === 'number' ? safe.code : undefined,
    apiMessage: typeof safe.message === 'string' ? safe.message : undefined,
  })
}

export function connectionError(
  error: unknown,
  apiKey: string,
  options: { causeCode?: string; mayHaveReachedServer: boolean; midBody?: boolean },
): APIConnectionError {
  const detail = error instanceof Error ? error.message : String(error)
  const prefix = options.midBody ? 'The connection to GoAPI broke while reading the answer' : 'Could not reach GoAPI'
  return new APIConnectionError(
    `${prefix}: ${redact(detail, apiKey)}${options.causeCode ? ` (${options.causeCode})` : ''}`,
    {
      cause: error,
      causeCode: options.causeCode,
      mayHaveReachedServer: options.mayHaveReachedServer,
    },
  )
}

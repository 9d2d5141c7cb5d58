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
  ResponseTooLargeError,
  type GoApiError,
} from '../errors.js'
import { DEFAULT_MAX_JSON_DEPTH } from './guard.js'
import { MIN_SECRET_LENGTH, clip, nestedDeeperThan, redact, safeCause } from './redact.js'

interface Envelope {
  code?: unknown
  message?: unknown
  data?: unknown
}

function envelope(body: unknown): Envelope {
  return typeof body === 'object' && body !== null ? (body as Envelope) : {}
}

/** The longest `Retry-After` the client takes seriously: 1 hour. Longer values are ignored. */
export const MAX_SANE_RETRY_AFTER_MS = 3_600_000

/**
 * `Retry-After` as milliseconds: whole or decimal seconds, or an HTTP date. Negative, non-numeric
 * and absurd values (more than an hour) give `undefined`: the caller falls back to its backoff.
 */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  const text = value?.trim() ?? ''
  const ms = /^\d+(\.\d+)?$/.test(text)
    ? Math.round(Number(text) * 1000)
    : /^[A-Za-z]{3}, /.test(text)
      ? Date.parse(text) - now
      : NaN
  // NaN (not a value) and Infinity fail both tests; a date already passed means now.
  return ms < 0 ? 0 : ms <= MAX_SANE_RETRY_AFTER_MS ? ms : undefined
}

/** The `ResponseTooLargeError` for a JSON answer nested deeper than the client accepts. */
export function tooDeep(status: number, maxDepth: number, taskId?: string): ResponseTooLargeError {
  return new ResponseTooLargeError(
    `GoAPI's answer (HTTP ${status}) is JSON nested deeper than ${maxDepth} levels: not kept`,
    { limit: 'depth', max: maxDepth, status, taskId },
  )
}

/**
 * The typed error for an HTTP error answer. The API key is scrubbed from everything kept; a body
 * nested deeper than `maxDepth` gives a `ResponseTooLargeError` instead.
 */
export function errorFromResponse(
  response: Response,
  rawBody: unknown,
  apiKey: string,
  taskId?: string,
  maxDepth = DEFAULT_MAX_JSON_DEPTH,
): GoApiError {
  if (nestedDeeperThan(rawBody, maxDepth)) return tooDeep(response.status, maxDepth, taskId)
  return typedError(response, redact(rawBody, apiKey), taskId, clip(redact(response.statusText, apiKey), 200))
}

/**
 * The typed error for an HTTP error answer whose body holds no secret (scrubbed, or from a client
 * that has none) and is within the depth cap: the class by status, GoAPI's `code` and `message`,
 * and `Retry-After` on a 429 or 503.
 */
export function typedError(
  response: Response,
  body: unknown,
  taskId?: string,
  reason = clip(response.statusText, 200),
): GoApiError {
  const status = response.status
  const env = envelope(body)
  const apiMessage =
    typeof env.message === 'string' ? env.message : typeof body === 'string' && body.length < 500 ? body : undefined
  const code = typeof env.code === 'number' ? env.code : undefined
  const what = `${status}${reason ? ` ${reason}` : ''}`
  const shown = apiMessage ? `: ${clip(apiMessage)}` : ''
  const message = `GoAPI answered ${what}${shown}${taskId ? ` (task ${clip(taskId, 200)})` : ''}`
  const retryAfterMs =
    status === 429 || status === 503 ? parseRetryAfter(response.headers.get('retry-after')) : undefined
  const options = { status, code, apiMessage, taskId, body, retryAfterMs }
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
  if (status === 429) return new RateLimitError(message, options)
  if (status >= 500) return new InternalServerError(message, options)
  return new APIError(message, options)
}

/** The characters a JSON short escape (`\n`, `\t`, ...) stands for; any other (`\/`, `\"`) is the character itself. */
const SHORT_ESCAPES: Record<string, string> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' }

/**
 * Whether JSON `text` proves that its parsed value needs no walk: no string or object key in it
 * can hold the key (`apiKey` and its URL-encoded form are not in the text, and no escape in it
 * stands for a character of either, so every parsed string is a plain piece of the text), and it
 * cannot nest deeper than `maxDepth` (it has no more brackets than that). A text it cannot prove
 * so (`false`) gets the walks of `redact` and `nestedDeeperThan`. Checked with `indexOf`, without
 * building anything.
 */
export function provenPlain(text: string, apiKey: string, maxDepth: number): boolean {
  let brackets = 0
  for (const open of ['{', '[']) {
    for (let i = text.indexOf(open); i !== -1; i = text.indexOf(open, i + 1)) if (++brackets > maxDepth) return false
  }
  if (apiKey.length < MIN_SECRET_LENGTH) return true // not scrubbed: see MIN_SECRET_LENGTH
  const encoded = encodeURIComponent(apiKey)
  if (text.includes(apiKey) || text.includes(encoded)) return false
  for (let i = text.indexOf('\\'); i !== -1; i = text.indexOf('\\', i + 2)) {
    const c = text.charAt(i + 1)
    const char = c === 'u' ? String.fromCharCode(parseInt(text.slice(i + 2, i + 6), 16)) : (SHORT_ESCAPES[c] ?? c)
    if (apiKey.includes(char) || encoded.includes(char)) return false
  }
  return true
}

/**
 * The `data` of a successful envelope, with the API key scrubbed; a missing `data` is an error
 * (GoAPI answered oddly), whose kept body has the key scrubbed too, and a body nested deeper than
 * `maxDepth` is a `ResponseTooLargeError`. `subject` names what was missing in the message.
 * `plain`: the body's text passed {@link provenPlain}, so the walks are skipped.
 */
export function dataFromBody(
  response: Response,
  rawBody: unknown,
  apiKey: string,
  subject = 'a task',
  maxDepth = DEFAULT_MAX_JSON_DEPTH,
  plain = false,
): unknown {
  if (!plain && nestedDeeperThan(rawBody, maxDepth)) throw tooDeep(response.status, maxDepth)
  return envelopeData(response, plain ? rawBody : redact(rawBody, apiKey), subject)
}

/** The `data` of a successful envelope that holds no secret; a missing `data` is an `APIError`. */
export function envelopeData(response: Response, body: unknown, subject = 'a task'): unknown {
  const env = envelope(body)
  if (env.data !== undefined && env.data !== null && typeof env.data === 'object') return env.data
  throw new APIError(`GoAPI answered ${response.status} without ${subject} in the body`, {
    status: response.status,
    body,
    code: typeof env.code === 'number' ? env.code : undefined,
    apiMessage: typeof env.message === 'string' ? env.message : undefined,
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
      cause: safeCause(error, apiKey),
      causeCode: options.causeCode,
      mayHaveReachedServer: options.mayHaveReachedServer,
    },
  )
}

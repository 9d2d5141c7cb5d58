// The one fetch wrapper every request of the client goes through (its own calls, `raw`, route
// functions): redirects are never followed blindly, bodies are capped while they stream, and the
// reason phrase is scrubbed before anything can put it in a message.
import { RedirectError, ResponseTooLargeError } from '../errors.js'
import { clip, redact } from './redact.js'

/** Largest JSON (or text) answer read by default: 32 MiB. */
export const DEFAULT_MAX_JSON_BYTES = 33_554_432 // 32 MiB, written out so bundlers can drop it unused
/** Deepest nesting of arrays/objects accepted in a JSON answer by default. */
export const DEFAULT_MAX_JSON_DEPTH = 128
/** Largest binary answer (speech audio, GPTs files) read by default: 100 MiB. */
export const DEFAULT_MAX_BINARY_BYTES = 104_857_600 // 100 MiB
/** Same-origin GET redirects followed at most. */
export const MAX_REDIRECTS = 5

export interface GuardOptions {
  apiKey: string
  /** Largest body read; more bytes (or a larger Content-Length) end the read with `ResponseTooLargeError`. */
  maxBytes: number
  /** Largest body of an error answer (non-2xx). Default: `maxBytes`. */
  maxErrorBytes?: number
}

const NULL_BODY = new Set([101, 103, 204, 205, 304])

export function tooLarge(max: number, status: number, seen: string): ResponseTooLargeError {
  return new ResponseTooLargeError(`GoAPI's answer (HTTP ${status}) is larger than ${max} bytes (${seen}): not read`, {
    limit: 'bytes',
    max,
    status,
  })
}

/**
 * `body` cut off with `ResponseTooLargeError` (and the source cancelled) once more than `max` bytes
 * pass. `mapError` turns a read failure of the source into the error the stream ends with.
 */
export function capBody(
  body: ReadableStream<Uint8Array>,
  max: number,
  status: number,
  mapError: (error: unknown) => unknown = (error) => error,
): ReadableStream<Uint8Array> {
  const reader = body.getReader()
  let seen = 0
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      let next: ReadableStreamReadResult<Uint8Array>
      try {
        next = await reader.read()
      } catch (error) {
        controller.error(mapError(error))
        return
      }
      if (next.done) return controller.close()
      seen += next.value.byteLength
      if (seen <= max) return controller.enqueue(next.value)
      controller.error(tooLarge(max, status, `${seen} bytes read so far`))
      await reader.cancel().catch(() => undefined)
    },
    cancel(reason) {
      return reader.cancel(reason)
    },
  })
}

/** Rejects a declared Content-Length above `max` before any of the body is read. */
export async function checkLength(response: Response, max: number): Promise<void> {
  const error = lengthError(response, response.headers.get('content-length'), max)
  if (error) {
    await response.body?.cancel().catch(() => undefined)
    throw error
  }
}

function lengthError(response: Response, header: string | null, max: number): ResponseTooLargeError | undefined {
  const declared = Number(header ?? '')
  return Number.isFinite(declared) && declared > max
    ? tooLarge(max, response.status, `Content-Length ${declared}`)
    : undefined
}

function requestOf(input: RequestInfo | URL, init: RequestInit | undefined): { url: string; method: string } {
  if (input instanceof Request) return { url: input.url, method: (init?.method ?? input.method).toUpperCase() }
  return { url: String(input), method: (init?.method ?? 'GET').toUpperCase() }
}

const isRedirect = (response: Response) =>
  (response.status >= 300 && response.status < 400 && response.status !== 304) || response.type === 'opaqueredirect'

/**
 * Wraps `fetch`: redirects are handled here (`redirect: 'manual'`), so the key never goes to another
 * origin and a POST is never re-sent: a same-origin GET/HEAD redirect is followed (at most
 * {@link MAX_REDIRECTS} times); any other is a {@link RedirectError}. Every answer's body is capped
 * at `maxBytes`, and its reason phrase is scrubbed of the key and cut to 200 characters.
 */
export function guardedFetch(base: typeof fetch, options: GuardOptions): typeof fetch {
  const { apiKey, maxBytes } = options
  const maxErrorBytes = Math.min(maxBytes, options.maxErrorBytes ?? maxBytes)
  const encodedKey = encodeURIComponent(apiKey)
  return async (input, init) => {
    let response = await base(input, init?.redirect === 'manual' ? init : { ...init, redirect: 'manual' })
    if (isRedirect(response)) response = await followRedirects(base, input, init, response, apiKey)
    const max = response.ok ? maxBytes : maxErrorBytes
    const declared = response.headers.get('content-length')
    const oversized = lengthError(response, declared, max)
    if (oversized) {
      await response.body?.cancel().catch(() => undefined)
      throw oversized
    }
    const reason = response.statusText
    const statusText =
      reason.length > 200 || (apiKey !== '' && (reason.includes(apiKey) || reason.includes(encodedKey)))
        ? redact(reason, apiKey).slice(0, 200)
        : reason
    // Fast path: fetch itself ends a body at its Content-Length, so an uncompressed answer that
    // declares one within the cap (the usual small JSON answer) needs no counting: it is read
    // with fetch's own `text()`.
    if (statusText === reason && declared !== null && /^\d+$/.test(declared)) {
      const encoding = response.headers.get('content-encoding')
      if (encoding === null || encoding === 'identity') return response
    }
    const body = response.body && !NULL_BODY.has(response.status) ? capBody(response.body, max, response.status) : null
    return new Response(body, { status: response.status, statusText, headers: response.headers })
  }
}

/** Follows a same-origin GET/HEAD redirect (at most {@link MAX_REDIRECTS} hops); any other is a `RedirectError`. */
async function followRedirects(
  base: typeof fetch,
  input: RequestInfo | URL,
  init: RequestInit | undefined,
  first: Response,
  apiKey: string,
): Promise<Response> {
  const request = requestOf(input, init)
  let url = request.url
  let response = first
  for (let hops = 0; isRedirect(response); hops++) {
    const location = response.headers.get('location')
    await response.body?.cancel().catch(() => undefined)
    let target: URL | undefined
    try {
      target = location === null ? undefined : new URL(location, url)
    } catch {
      target = undefined
    }
    const shown = location === null ? undefined : clip(redact(location, apiKey), 200)
    const sameOrigin = target !== undefined && target.origin === new URL(url).origin
    const readOnly = request.method === 'GET' || request.method === 'HEAD'
    if (!target || !sameOrigin || !readOnly || hops >= MAX_REDIRECTS) {
      const why = !target
        ? 'without a usable Location'
        : !sameOrigin
          ? 'to another origin'
          : !readOnly
            ? `for a ${request.method}`
            : `more than ${MAX_REDIRECTS} times`
      throw new RedirectError(
        `GoAPI answered ${response.status} with a redirect ${why}${shown ? ` (${shown})` : ''}: not followed, nothing was sent there`,
        { status: response.status, location: shown },
      )
    }
    url = target.href
    const headers = input instanceof Request ? input.headers : new Headers(init?.headers)
    const signal = init?.signal ?? (input instanceof Request ? input.signal : null)
    response = await base(url, { method: request.method, headers, signal, redirect: 'manual' })
  }
  return response
}

// What the proxy sends to the browser and reads from it: JSON answers with every server secret
// scrubbed, bodies read under a byte cap while they stream, task data stripped of its config.

/** A request body larger than the proxy's cap. */
export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`Request body too large (limit ${limit} bytes)`)
  }
}

/**
 * Reads a body as text, counting bytes as they arrive (a `Content-Length` is not trusted, only
 * used to refuse early), and stops reading as soon as the cap is passed.
 */
export async function readLimited(request: Request, limit: number): Promise<string> {
  const declared = Number(request.headers.get('content-length'))
  if (Number.isFinite(declared) && declared > limit) {
    await request.body?.cancel().catch(() => undefined)
    throw new BodyTooLargeError(limit)
  }
  if (!request.body) return ''
  const reader = request.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > limit) {
      await reader.cancel().catch(() => undefined)
      throw new BodyTooLargeError(limit)
    }
    chunks.push(value)
  }
  const all = new Uint8Array(size)
  let at = 0
  for (const chunk of chunks) {
    all.set(chunk, at)
    at += chunk.byteLength
  }
  return new TextDecoder().decode(all)
}

/** Replaces every occurrence of each secret (raw and URL-encoded) in `text` with `[redacted]`. */
export function scrub(text: string, secrets: readonly string[]): string {
  let out = text
  for (const secret of secrets) {
    if (!secret) continue
    out = out.split(secret).join('[redacted]')
    const encoded = encodeURIComponent(secret)
    if (encoded !== secret) out = out.split(encoded).join('[redacted]')
  }
  return out
}

const NO_STORE = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' }

/** A JSON answer; its text is scrubbed of `secrets` after serialisation, so nothing nested escapes. */
export function jsonResponse(
  status: number,
  body: unknown,
  secrets: readonly string[],
  headers: Record<string, string> = {},
): Response {
  return new Response(scrub(JSON.stringify(body), secrets), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...NO_STORE, ...headers },
  })
}

/** An error answer in GoAPI's envelope (`{ code, message, data }`), which the client reads as it reads GoAPI's. */
export function errorResponse(
  status: number,
  message: string,
  secrets: readonly string[],
  data: unknown = null,
  headers: Record<string, string> = {},
): Response {
  return jsonResponse(status, { code: status, message, data }, secrets, headers)
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * A task as the browser may see it: a plain JSON object whose `config` lost its webhook settings
 * (GoAPI echoes the endpoint and secret back). `undefined` when the value is not a task.
 */
export function publicTask(value: unknown): Record<string, unknown> | undefined {
  if (!isObject(value) || typeof value.task_id !== 'string') return undefined
  if (!isObject(value.config)) return value
  const { webhook_config: _dropped, ...config } = value.config
  return { ...value, config }
}

export const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-store',
  'x-accel-buffering': 'no',
  'x-content-type-options': 'nosniff',
}

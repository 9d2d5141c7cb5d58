// HTTP plumbing shared by every route: the error type routes throw, the reply they return, and
// reading request bodies within the size limit.
import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http'
import type { FieldError } from './spec.js'

/** Thrown by a route to answer `{code: status, message, data?}`. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly data?: unknown,
    readonly headers: OutgoingHttpHeaders = {},
  ) {
    super(message)
  }
}

/** A complete answer: status, headers and body bytes. */
export interface Reply {
  status: number
  headers: OutgoingHttpHeaders
  body: Buffer
}

export function json(status: number, body: unknown, headers: OutgoingHttpHeaders = {}): Reply {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    body: Buffer.from(JSON.stringify(body), 'utf8'),
  }
}

/** GoAPI's success envelope. */
export const ok = (data: unknown, headers: OutgoingHttpHeaders = {}): Reply =>
  json(200, { code: 200, message: 'success', data }, headers)

/** A 400 naming every failing field (`data.errors`), the first one in the message. */
export function fieldError(errors: FieldError[]): HttpError {
  const first = errors[0]
  const summary = first ? `${first.path} ${first.message}` : 'invalid body'
  return new HttpError(
    400,
    `Invalid request parameters: ${summary}${errors.length > 1 ? ` (and ${errors.length - 1} more)` : ''}`,
    { errors },
  )
}

export function errorReply(error: unknown): Reply {
  const status = error instanceof HttpError ? error.status : 500
  const message = error instanceof Error ? error.message : 'Internal Server Error'
  return json(
    status,
    {
      code: status,
      message,
      ...(error instanceof HttpError && error.data !== undefined ? { data: error.data } : {}),
    },
    error instanceof HttpError ? error.headers : {},
  )
}

export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0)
  if (declared > limit) throw new HttpError(413, `Request body too large (limit ${limit} bytes)`)
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    const buf = chunk as Buffer
    size += buf.length
    if (size > limit) throw new HttpError(413, `Request body too large (limit ${limit} bytes)`)
    chunks.push(buf)
  }
  return Buffer.concat(chunks)
}

export function parseJson(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8'))
  } catch {
    throw new HttpError(400, 'Invalid request parameters: the body is not valid JSON')
  }
}

export async function readJson(req: IncomingMessage, limit: number): Promise<unknown> {
  return parseJson(await readBody(req, limit))
}

/** Reads and drops what is left of a request body (as a real server does before answering). */
export function drain(req: IncomingMessage): Promise<void> {
  return new Promise((resolve) => {
    if (req.complete || req.readableEnded) return resolve()
    req.once('end', resolve)
    req.once('close', resolve)
    req.resume()
  })
}

export function iso(ms: number): string {
  return new Date(ms).toISOString()
}

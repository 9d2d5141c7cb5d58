// The Node adapter: a Web handler as a `node:http` request listener (plain Node, Express,
// Fastify's raw server, ...). Type-only Node imports, so the package still loads in workers.
import type { IncomingMessage, ServerResponse } from 'node:http'

export type WebHandler = (request: Request) => Response | Promise<Response>

/** Node's request as a Web `Request` (body streamed, aborted when the client goes away). */
export function toWebRequest(req: IncomingMessage & { originalUrl?: string }, signal: AbortSignal): Request {
  const host = /^[A-Za-z0-9.-]+(:\d+)?$|^\[[0-9A-Fa-f:.]+\](:\d+)?$/.test(req.headers.host ?? '')
    ? (req.headers.host as string)
    : 'localhost'
  // Express strips its mount path from `url`; `originalUrl` keeps it.
  const url = new URL(req.originalUrl ?? req.url ?? '/', `http://${host}`)
  const headers = new Headers()
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    try {
      headers.append(req.rawHeaders[i] as string, req.rawHeaders[i + 1] as string)
    } catch {
      // a header the Fetch API refuses is dropped
    }
  }
  const method = req.method ?? 'GET'
  let body: ReadableStream<Uint8Array> | undefined
  if (method !== 'GET' && method !== 'HEAD') {
    body = new ReadableStream<Uint8Array>({
      start(controller) {
        req.on('data', (chunk: Buffer) => {
          controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength))
          if ((controller.desiredSize ?? 0) <= 0) req.pause()
        })
        req.once('end', () => controller.close())
        req.once('error', (error) => controller.error(error))
        req.pause()
      },
      pull() {
        req.resume()
      },
      cancel() {
        // The handler stopped reading (a body over the cap): discard the rest as it arrives.
        req.removeAllListeners('data')
        req.resume()
      },
    })
  }
  return new Request(url, { method, headers, body, signal, duplex: 'half' } as RequestInit & { duplex: 'half' })
}

async function writeResponse(response: Response, res: ServerResponse): Promise<void> {
  res.statusCode = response.status
  for (const [name, value] of response.headers) {
    if (name === 'set-cookie') continue
    res.setHeader(name, value)
  }
  const cookies = response.headers.getSetCookie()
  if (cookies.length) res.setHeader('set-cookie', cookies)
  if (!response.body) return void res.end()
  res.flushHeaders()
  const reader = response.body.getReader()
  const onClose = () => void reader.cancel().catch(() => undefined)
  res.once('close', onClose)
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      if (!res.write(value))
        await new Promise<void>((resolve) => {
          const go = () => {
            res.off('drain', go)
            res.off('close', go)
            resolve()
          }
          res.once('drain', go)
          res.once('close', go)
        })
      if (res.destroyed) break
    }
  } finally {
    res.off('close', onClose)
    if (!res.destroyed) res.end()
  }
}

/** Serves a Web handler on `node:http`: `http.createServer(toNodeListener(goapi))`, or `app.use(toNodeListener(goapi))`. */
export function toNodeListener(handler: WebHandler): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const abort = new AbortController()
    res.once('close', () => {
      if (!res.writableFinished) abort.abort()
    })
    void (async () => {
      let response: Response
      try {
        response = await handler(toWebRequest(req, abort.signal))
      } catch {
        response = new Response(JSON.stringify({ code: 500, message: 'Internal server error', data: null }), {
          status: 500,
          headers: { 'content-type': 'application/json; charset=utf-8' },
        })
      }
      await writeResponse(response, res)
    })().catch(() => res.destroy())
  }
}

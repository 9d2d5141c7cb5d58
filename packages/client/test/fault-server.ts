// A tiny real HTTP server on 127.0.0.1 whose answers each test scripts, to inject faults.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface Hit {
  method: string
  url: string
  body: string
  key: string | undefined
}

export type Handler = (req: IncomingMessage, res: ServerResponse, hit: Hit, n: number) => void

export interface FaultServer {
  url: string
  hits: Hit[]
  close(): Promise<void>
}

export async function startFaultServer(handler: Handler): Promise<FaultServer> {
  const hits: Hit[] = []
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const header = req.headers['x-api-key']
      const hit: Hit = {
        method: req.method ?? '',
        url: req.url ?? '',
        body: Buffer.concat(chunks).toString('utf8'),
        key: Array.isArray(header) ? header[0] : header,
      }
      hits.push(hit)
      handler(req, res, hit, hits.length)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** A URL on 127.0.0.1 where nothing listens (connection refused). */
export async function refusedUrl(): Promise<string> {
  const s = await startFaultServer(() => undefined)
  await s.close()
  return s.url
}

export function task(id: string, status = 'completed'): Record<string, unknown> {
  return {
    task_id: id,
    model: 'Qubico/flux1-schnell',
    task_type: 'txt2img',
    status,
    input: { prompt: 'x' },
    output: status === 'completed' ? { image_url: 'http://127.0.0.1/x.png' } : null,
    meta: {},
    detail: null,
    logs: [],
    error: { code: 0, message: '' },
  }
}

export function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers })
  res.end(JSON.stringify(body))
}

export type Fault = '500' | '502' | '503' | '408' | '429' | 'reset' | 'hang' | 'malformed' | 'html' | 'slow-body'

/** Answers with one fault. `hang` and `slow-body` stall until the client gives up. */
export function fault(res: ServerResponse, kind: Fault): void {
  switch (kind) {
    case '500':
    case '502':
    case '503':
    case '408':
      return json(res, Number(kind), { code: Number(kind), message: `injected ${kind}` })
    case '429':
      return json(res, 429, { code: 429, message: 'slow down' }, { 'retry-after': '0' })
    case 'reset':
      res.socket?.destroy()
      return
    case 'hang':
      return
    case 'malformed':
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end('{"code":200,"data":{"task_id":')
      return
    case 'html':
      res.writeHead(502, { 'content-type': 'text/html' })
      res.end('<html><body><h1>502 Bad Gateway</h1></body></html>')
      return
    case 'slow-body':
      res.writeHead(200, { 'content-type': 'application/json' })
      res.write('{"code":200,')
      return
  }
}

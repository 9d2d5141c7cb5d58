// A tiny real HTTP server on 127.0.0.1 whose answers a test scripts, for the few cases the
// simulator (@goapi/mock) cannot express: a `Retry-After` given as an HTTP date, and a port where
// nothing listens (connection refused). Every other fault comes from the simulator's fault rules.
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

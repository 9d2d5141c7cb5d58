// A hostile file server on 127.0.0.1 for the download tests: each route is one attack.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface FileServer {
  url: string
  port: number
  /** Every request seen: path and headers. */
  requests: Array<{ url: string; headers: IncomingMessage['headers'] }>
  close(): Promise<void>
}

export type Route = (req: IncomingMessage, res: ServerResponse) => void

export async function startFileServer(routes: Record<string, Route>): Promise<FileServer> {
  const requests: FileServer['requests'] = []
  const server = createServer((req, res) => {
    requests.push({ url: req.url ?? '', headers: req.headers })
    const route = routes[(req.url ?? '').split('?')[0] ?? '']
    if (route) route(req, res)
    else {
      res.writeHead(404)
      res.end('no such file')
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** Writes one byte every `everyMs` forever (until the client goes away). */
export function drip(everyMs: number, headers: Record<string, string> = {}): Route {
  return (req, res) => {
    res.writeHead(200, { 'content-type': 'image/png', ...headers })
    res.write('x')
    const timer = setInterval(() => res.write('x'), everyMs)
    res.on('close', () => clearInterval(timer))
    req.on('close', () => clearInterval(timer))
  }
}

/** Sends `total` bytes of zeros in 64 KiB chunks, honouring back-pressure, without a Content-Length. */
export function flood(total: number): Route {
  return (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream' })
    const chunk = Buffer.alloc(64 * 1024)
    let sent = 0
    const pump = () => {
      while (sent < total && !res.destroyed) {
        sent += chunk.length
        if (!res.write(chunk)) return void res.once('drain', pump)
      }
      res.end()
    }
    pump()
  }
}

export const file =
  (body: string, type = 'image/png'): Route =>
  (_req, res) => {
    res.writeHead(200, { 'content-type': type, 'content-length': String(Buffer.byteLength(body)) })
    res.end(body)
  }

export const redirect =
  (location: string, status = 302): Route =>
  (_req, res) => {
    res.writeHead(status, { location })
    res.end()
  }

// Hostile GoAPI-shaped servers on 127.0.0.1: one real `node:http` (or raw TCP) server per attack,
// recording every request it gets, so a test can assert what reached it (and what did not).
import { once } from 'node:events'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { createServer as createTcpServer, type Socket } from 'node:net'
import type { AddressInfo } from 'node:net'
import { afterEach } from 'vitest'

export interface Hit {
  method: string
  url: string
  headers: IncomingMessage['headers']
  body: string
}

export interface Hostile {
  url: string
  origin: string
  hits: Hit[]
  /** Bytes the handler managed to write with {@link pump} before the client hung up. */
  written: number[]
  close(): Promise<void>
}

export type HostileHandler = (req: IncomingMessage, res: ServerResponse, hit: Hit, n: number) => unknown

export async function hostile(handler: HostileHandler): Promise<Hostile> {
  const hits: Hit[] = []
  const written: number[] = []
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const hit: Hit = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      }
      hits.push(hit)
      void Promise.resolve(handler(req, res, hit, hits.length)).catch(() => res.destroy())
    })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  const url = `http://127.0.0.1:${port}`
  return {
    url,
    origin: url,
    hits,
    written,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** A raw TCP server that answers every connection with `bytes` and closes (for malformed HTTP). */
/** A `serve(handler)` for one test file: each server it starts is closed after the test that started it. */
export function servedPerTest(): (handler: HostileHandler) => Promise<Hostile> {
  const open: Hostile[] = []
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()))
  })
  return async (handler) => {
    const s = await hostile(handler)
    open.push(s)
    return s
  }
}

export async function rawTcp(bytes: string): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>()
  const server = createTcpServer((socket) => {
    sockets.add(socket)
    socket.once('data', () => socket.end(bytes))
    socket.on('error', () => undefined)
    socket.on('close', () => sockets.delete(socket))
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      }),
  }
}

/**
 * Streams `total` bytes (`head`, then spaces) with backpressure, stopping when the client hangs up;
 * records how many bytes were accepted by the socket in `server.written`.
 */
export async function pump(server: Hostile, res: ServerResponse, total: number, head = ''): Promise<void> {
  const chunk = Buffer.alloc(64 * 1024, 0x20)
  let sent = 0
  let closed = false
  res.on('close', () => {
    closed = true
  })
  if (head) {
    res.write(head)
    sent += Buffer.byteLength(head)
  }
  while (sent < total && !closed) {
    const ok = res.write(chunk)
    sent += chunk.length
    if (!ok && !closed) await Promise.race([once(res, 'drain'), once(res, 'close')])
  }
  server.written.push(sent)
  if (!closed) res.end()
}

export function task(id: string, status = 'completed', extra: Record<string, unknown> = {}): Record<string, unknown> {
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
    ...extra,
  }
}

export function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers })
  res.end(typeof body === 'string' ? body : JSON.stringify(body))
}

/** `depth` nested arrays as JSON text: `[[[...]]]`. */
export function deepJson(depth: number): string {
  return '['.repeat(depth) + ']'.repeat(depth)
}

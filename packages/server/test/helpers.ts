// Real servers on 127.0.0.1 for the proxy tests: the simulator (only the server's key works),
// a relay in front of it that records what reaches "GoAPI", and the proxy behind toNodeListener.
import { createServer, type IncomingHttpHeaders, type RequestListener, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { startMock, type MockOptions, type MockServer } from '@goapi/mock'
import { createProxy, toNodeListener, type ProxyHandler, type ProxyOptions } from '../src/index.js'

export const SERVER_KEY = 'server-key'

export interface Listening {
  url: string
  close(): Promise<void>
}

export async function listen(listener: RequestListener): Promise<Listening & { server: Server }> {
  const server = createServer(listener)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    server,
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}

export interface Seen {
  method: string
  url: string
  headers: IncomingHttpHeaders
}

/** A relay to `target` that records every request it forwards (what GoAPI would see). */
export async function relay(target: string): Promise<Listening & { seen: Seen[] }> {
  const seen: Seen[] = []
  const server = await listen((req, res) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers })
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const headers = new Headers()
      for (const [k, v] of Object.entries(req.headers)) {
        if (typeof v === 'string' && !['host', 'connection', 'content-length'].includes(k)) headers.set(k, v)
      }
      fetch(`${target}${req.url ?? ''}`, {
        method: req.method,
        headers,
        body: req.method === 'GET' || req.method === 'DELETE' ? undefined : Buffer.concat(chunks),
      })
        .then(async (answer) => {
          res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'text/plain' })
          res.end(Buffer.from(await answer.arrayBuffer()))
        })
        .catch(() => res.destroy())
    })
  })
  return { ...server, seen }
}

export interface Stack {
  mock: MockServer
  upstream: Listening & { seen: Seen[] }
  proxy: ProxyHandler
  server: Listening
  /** `<server>/api/goapi` */
  base: string
  close(): Promise<void>
}

/** The simulator, the recording relay and a proxy on `/api/goapi` in front of them. */
export async function startStack(
  proxyOptions: Partial<ProxyOptions> | ((url: string) => Partial<ProxyOptions>) = {},
  mockOptions: MockOptions = {},
): Promise<Stack> {
  const mock = await startMock({ keys: [SERVER_KEY], latency: { pendingMs: 50, processingMs: 150 }, ...mockOptions })
  const upstream = await relay(mock.url)
  let proxy: ProxyHandler | undefined
  const server = await listen(
    toNodeListener((request) => {
      if (!proxy) throw new Error('proxy not ready')
      return proxy(request)
    }),
  )
  const extra = typeof proxyOptions === 'function' ? proxyOptions(server.url) : proxyOptions
  proxy = createProxy({
    apiKey: SERVER_KEY,
    baseUrl: upstream.url,
    basePath: '/api/goapi',
    allow: { models: ['Qubico/flux1-schnell'], taskTypes: ['txt2img'] },
    ...extra,
  })
  const handler = proxy
  return {
    mock,
    upstream,
    proxy: handler,
    server,
    base: `${server.url}/api/goapi`,
    async close() {
      handler.close()
      await server.close()
      await upstream.close()
      await mock.close()
    },
  }
}

/** Reads an events stream to its end: each event's name and parsed data. */
export async function readEvents(response: Response): Promise<Array<{ event: string; data: unknown }>> {
  const text = await response.text()
  return text
    .split('\n\n')
    .filter((block) => block.includes('data:'))
    .map((block) => {
      const lines = block.split('\n')
      const event =
        lines
          .find((l) => l.startsWith('event:'))
          ?.slice(6)
          .trim() ?? 'message'
      const data = lines
        .filter((l) => l.startsWith('data:'))
        .map((l) => l.slice(5).trim())
        .join('\n')
      return { event, data: JSON.parse(data) as unknown }
    })
}

export const FLUX = { model: 'Qubico/flux1-schnell', task_type: 'txt2img', input: { prompt: 'a bear' } }

export function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })
}

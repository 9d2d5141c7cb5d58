// The client in proxy mode (`createProxyClient({ baseUrl })`), against a loopback server
// that speaks the @goapi/server protocol: no key sent, wait() follows the events stream and
// falls back to polling when the stream is missing or breaks.
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  AbortError,
  ConfigurationError,
  TaskFailedError,
  createClient,
  createProxyClient,
  type UntypedTask,
} from '../src/index.js'

const task = (id: string, status: string, output: unknown = null): UntypedTask =>
  ({ task_id: id, model: 'Qubico/flux1-schnell', task_type: 'txt2img', status, output }) as UntypedTask

type Events = (res: ServerResponse) => void
const seen: Array<{ method: string; url: string; headers: IncomingHttpHeaders }> = []
const events = new Map<string, Events>()
const polls = new Map<string, UntypedTask>()
const server = createServer((req, res) => {
  seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers })
  const m = /^\/proxy\/api\/v1\/task\/([^/]+)(\/events)?$/.exec(req.url ?? '')
  const id = m?.[1] ?? ''
  if (m?.[2] && events.has(id)) {
    res.writeHead(200, { 'content-type': 'text/event-stream' })
    return events.get(id)?.(res)
  }
  if (m && !m[2] && polls.has(id)) {
    res.writeHead(200, { 'content-type': 'application/json' })
    return res.end(JSON.stringify({ code: 200, data: polls.get(id) }))
  }
  if (req.method === 'POST') {
    res.writeHead(200, { 'content-type': 'application/json' })
    return res.end(JSON.stringify({ code: 200, data: task('created', 'pending') }))
  }
  res.writeHead(404, { 'content-type': 'application/json' })
  res.end(JSON.stringify({ code: 404, message: 'not found' }))
})
const send = (res: ServerResponse, value: unknown, event = 'task') =>
  res.write(`event: ${event}\ndata: ${JSON.stringify(value)}\n\n`)
let base = ''

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/proxy`
})
afterAll(async () => {
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
})

const fast = { poll: { initialDelayMs: 5, maxDelayMs: 5, jitter: 0 } }

describe('proxy configuration', () => {
  it('refuses a key, a missing baseUrl and GoAPI hosts', () => {
    // @ts-expect-error: a proxy client holds no key
    expect(() => createProxyClient({ baseUrl: '/api/goapi', apiKey: 'k' })).toThrow(ConfigurationError)
    // @ts-expect-error: the proxy's baseUrl is required
    expect(() => createProxyClient({})).toThrow(/baseUrl/)
    for (const url of [
      'https://api.goapi.ai',
      'https://api.goapi.xyz/',
      '//proxy.goapi.xyz',
      'HTTPS://API.GOAPI.AI:443/x',
    ])
      expect(() => createProxyClient({ baseUrl: url })).toThrow(/not GoAPI itself/)
    expect(() => createProxyClient({ baseUrl: 'https://goapi.ai.example.com/api/goapi' })).not.toThrow()
    // The proxy applies the answer caps and retries; a proxy client takes neither.
    // @ts-expect-error: not an option of a proxy client
    expect(() => createProxyClient({ baseUrl: '/api/goapi', maxResponseBytes: 1 })).not.toThrow()
    // @ts-expect-error: not an option of a proxy client
    expect(() => createProxyClient({ baseUrl: '/api/goapi', maxRetries: 3 })).not.toThrow()
  })

  it('createClient has no proxy mode: a proxy client comes only from createProxyClient', () => {
    // @ts-expect-error: `proxy` is not an option of createClient
    const keyed = createClient({ proxy: true, baseUrl: 'http://127.0.0.1:1', apiKey: 'k' })
    expect(keyed.baseUrl).toBe('http://127.0.0.1:1')
  })

  it('a missing key is still refused by createClient', () => {
    const saved = process.env.GOAPI_API_KEY
    delete process.env.GOAPI_API_KEY
    try {
      expect(() => createClient({ baseUrl: '/api/goapi' })).toThrow(/No GoAPI API key/)
    } finally {
      if (saved !== undefined) process.env.GOAPI_API_KEY = saved
    }
  })

  it('sends no key, not even GOAPI_API_KEY from the environment', async () => {
    const saved = process.env.GOAPI_API_KEY
    process.env.GOAPI_API_KEY = 'env-key'
    try {
      const goapi = createProxyClient({ baseUrl: base })
      const before = seen.length
      await goapi.createUntypedTask({ model: 'm', task_type: 't', input: {} })
      const headers = seen[before]?.headers ?? {}
      expect(headers['x-api-key']).toBeUndefined()
      expect(headers.authorization).toBeUndefined()
      expect(JSON.stringify(headers)).not.toContain('env-key')
    } finally {
      if (saved === undefined) delete process.env.GOAPI_API_KEY
      else process.env.GOAPI_API_KEY = saved
    }
  })
})

describe('wait() through the events stream', () => {
  it('follows the stream to completion without polling', async () => {
    events.set('e1', (res) => {
      send(res, task('e1', 'pending'))
      send(res, task('e1', 'processing', { progress: 50 }))
      send(res, task('other', 'completed'))
      res.write(': keep-alive\n\n')
      send(res, task('e1', 'completed', { image_url: 'https://x/a.png' }))
      send(res, { end: true }, 'end')
      res.end()
    })
    const goapi = createProxyClient({ baseUrl: base })
    const progress: string[] = []
    const done = await goapi.wait('e1', { ...fast, onProgress: (t) => progress.push(t.status) })
    expect(done.output).toEqual({ image_url: 'https://x/a.png' })
    expect(progress).toEqual(['pending', 'processing', 'completed'])
    expect(seen.filter((s) => s.url === '/proxy/api/v1/task/e1')).toEqual([])
    expect(seen.find((s) => s.url === '/proxy/api/v1/task/e1/events')?.headers.accept).toBe('text/event-stream')
  })

  it('a failed task throws TaskFailedError', async () => {
    events.set('e2', (res) => {
      send(res, task('e2', 'failed'))
      res.end()
    })
    const goapi = createProxyClient({ baseUrl: base })
    await expect(goapi.wait('e2', fast)).rejects.toBeInstanceOf(TaskFailedError)
  })

  it('falls back to polling when the proxy has no events stream', async () => {
    polls.set('p1', task('p1', 'completed', { image_url: 'https://x/p.png' }))
    const goapi = createProxyClient({ baseUrl: base })
    const done = await goapi.wait('p1', fast)
    expect(done.status).toBe('completed')
    expect(seen.filter((s) => s.url === '/proxy/api/v1/task/p1').length).toBeGreaterThan(0)
  })

  it('falls back to polling when the stream breaks before the task ends, without repeating progress', async () => {
    events.set('b1', (res) => {
      send(res, task('b1', 'processing'))
      setImmediate(() => res.destroy())
    })
    polls.set('b1', task('b1', 'completed'))
    const goapi = createProxyClient({ baseUrl: base })
    const progress: string[] = []
    const done = await goapi.wait('b1', { ...fast, onProgress: (t) => progress.push(t.status) })
    expect(done.status).toBe('completed')
    expect(progress).toEqual(['processing', 'completed'])
  })

  it('an abort stops the wait with AbortError', async () => {
    events.set('a1', (res) => send(res, task('a1', 'processing')))
    const goapi = createProxyClient({ baseUrl: base })
    const controller = new AbortController()
    const waiting = goapi.wait('a1', { ...fast, signal: controller.signal, onProgress: () => controller.abort() })
    await expect(waiting).rejects.toBeInstanceOf(AbortError)
  })
})

// A hostile @goapi/server proxy's events stream: an event that never ends, a redirect elsewhere, an
// event nested too deep. The events wait applies the client's caps and redirect rules, and falls
// back to polling the proxy (whose answers are checked like every other).
import { describe, expect, it } from 'vitest'
import { createProxyClient, type UntypedTask } from '../../src/index.js'
import { deepJson, json, pump, servedPerTest, task, type Hostile } from './servers.js'

const MB = 1024 * 1024
const serve = servedPerTest()
const fast = { poll: { initialDelayMs: 5, maxDelayMs: 5, jitter: 0 } }
const isEvents = (url: string) => url.endsWith('/events')

describe('the events stream of a hostile proxy', () => {
  it('an event that never ends is cut at maxResponseBytes, then the wait polls', async () => {
    const server: Hostile = await serve((req, res) => {
      if (!isEvents(req.url ?? '')) return json(res, 200, JSON.stringify({ code: 200, data: task('t1') }))
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      return pump(server, res, 100 * MB, 'data: {"task_id":"t1","output":"')
    })
    const goapi = createProxyClient({ baseUrl: server.url, maxResponseBytes: 2 * MB })
    const done = await goapi.wait('t1', fast)
    expect(done.status).toBe('completed')
    await expect.poll(() => server.written.length).toBe(1)
    expect(server.written[0]).toBeLessThan(50 * MB)
  })

  it('a redirect of the stream to another origin is not followed', async () => {
    const elsewhere = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      res.end(`data: ${JSON.stringify(task('t2', 'completed', { output: { image_url: 'https://evil/x.png' } }))}\n\n`)
    })
    const server = await serve((req, res) => {
      if (!isEvents(req.url ?? '')) return json(res, 200, JSON.stringify({ code: 200, data: task('t2') }))
      res.writeHead(302, { location: `${elsewhere.url}/steal` })
      res.end()
    })
    const done = await createProxyClient({ baseUrl: server.url }).wait('t2', fast)
    expect(done.status).toBe('completed')
    expect(elsewhere.hits).toHaveLength(0)
  })

  it('an event nested deeper than maxResponseDepth is not handed on', async () => {
    const server = await serve((req, res) => {
      if (!isEvents(req.url ?? '')) return json(res, 200, JSON.stringify({ code: 200, data: task('t3') }))
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      res.end(`data: {"task_id":"t3","status":"processing","output":${deepJson(1_000)}}\n\n`)
    })
    const progress: UntypedTask[] = []
    const done = await createProxyClient({ baseUrl: server.url }).wait('t3', {
      ...fast,
      onProgress: (t) => progress.push(t),
    })
    expect(done.status).toBe('completed')
    expect(progress.map((t) => t.status)).toEqual(['completed'])
  })
})

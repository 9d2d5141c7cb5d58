// A hostile or broken @goapi/server proxy's events stream. The page trusts its own proxy with the
// answer caps (SECURITY.md), but never follows a redirect, never spins on a refusal, and renews a
// stream that stalls.
import { describe, expect, it } from 'vitest'
import { ConfigurationError, NotFoundError, PermissionDeniedError, createProxyClient } from '../../src/index.js'
import { json, servedPerTest, task } from './servers.js'

const serve = servedPerTest()
const fast = { poll: { initialDelayMs: 5, maxDelayMs: 5, jitter: 0 } }
const isEvents = (url: string) => url.endsWith('/events')

describe('the events stream of a hostile proxy', () => {
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

  it('a refusal of both the stream and the task ends the wait with the typed error, without spinning', async () => {
    const server = await serve((_req, res) => json(res, 403, JSON.stringify({ code: 403, message: 'not yours' })))
    const error = await createProxyClient({ baseUrl: server.url })
      .wait('t4', fast)
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(PermissionDeniedError)
    expect(server.hits).toHaveLength(2)
  })

  it('a stream that ends with an error event for a missing task ends the wait with NotFoundError', async () => {
    const server = await serve((req, res) => {
      if (!isEvents(req.url ?? '')) return json(res, 404, JSON.stringify({ code: 404, message: 'no such task' }))
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      res.end(`event: error\ndata: ${JSON.stringify({ error: { status: 404, message: 'Task t5 not found' } })}\n\n`)
    })
    await expect(createProxyClient({ baseUrl: server.url }).wait('t5', fast)).rejects.toBeInstanceOf(NotFoundError)
  })

  it('a stream that stalls is renewed after the request timeout, without a GET in between', async () => {
    let streams = 0
    const server = await serve((req, res) => {
      if (!isEvents(req.url ?? '')) return json(res, 200, JSON.stringify({ code: 200, data: task('t6') }))
      streams++
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      res.write(`data: ${JSON.stringify(task('t6', 'processing'))}\n\n`)
      // The first stream goes silent; the second delivers the end.
      if (streams > 1) res.end(`data: ${JSON.stringify(task('t6', 'completed'))}\n\n`)
    })
    const done = await createProxyClient({ baseUrl: server.url, timeoutMs: 200 }).wait('t6', fast)
    expect(done.status).toBe('completed')
    expect(server.hits.map((h) => isEvents(h.url))).toEqual([true, true])
  })

  it('cancelTasks is not served through a proxy', async () => {
    const server = await serve((_req, res) => json(res, 200, '{}'))
    await expect(
      createProxyClient({ baseUrl: server.url }).cancelTasks({ createdBefore: Date.now(), model: 'all' }),
    ).rejects.toBeInstanceOf(ConfigurationError)
    expect(server.hits).toHaveLength(0)
  })
})

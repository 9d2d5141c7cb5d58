// Special routes the app opts into (here `createChatCompletion` from @goapi/llm), against a
// hostile upstream that echoes the key in its answers, split across stream chunks.
import { createProxyClient } from '@goapi/client'
import { createChatCompletion } from '@goapi/llm'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createProxy, toNodeListener, type ProxyHandler } from '../../src/index.js'
import { listen, post, type Listening } from '../helpers.js'

const KEY = 'sk-route-secret-0123456789'
let upstream: Listening
let server: Listening
let proxy: ProxyHandler
const seen: Array<{ url: string; headers: Record<string, unknown>; body: string }> = []

beforeAll(async () => {
  upstream = await listen((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8')
      seen.push({ url: req.url ?? '', headers: { ...req.headers }, body })
      if (JSON.parse(body).stream) {
        res.writeHead(200, { 'content-type': 'text/event-stream', 'set-cookie': `k=${KEY}` })
        const event = `data: {"choices":[{"delta":{"content":"your key is ${KEY}"}}]}\n\n`
        const cut = event.indexOf(KEY) + 7
        res.write(event.slice(0, cut))
        setTimeout(() => {
          res.write(event.slice(cut))
          res.end('data: [DONE]\n\n')
        }, 20)
        return
      }
      res.writeHead(200, { 'content-type': 'application/json', 'x-echo': KEY })
      res.end(
        JSON.stringify({
          id: 'c1',
          object: 'chat.completion',
          created: 1,
          model: 'gpt-4o-mini',
          choices: [{ index: 0, message: { role: 'assistant', content: `echo ${KEY}` }, finish_reason: 'stop' }],
        }),
      )
    })
  })
  proxy = createProxy({
    apiKey: KEY,
    baseUrl: upstream.url,
    basePath: '/api/goapi',
    allow: { models: ['Qubico/flux1-schnell'] },
    routes: [createChatCompletion],
  })
  server = await listen(toNodeListener(proxy))
})
afterAll(async () => {
  proxy.close()
  await server.close()
  await upstream.close()
})

const chat = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }

it('an opted-in route goes to GoAPI with the server key as Bearer; the answer is scrubbed', async () => {
  const goapi = createProxyClient({ baseUrl: `${server.url}/api/goapi` })
  const answer = await createChatCompletion(goapi, {
    model: 'gpt-4o-mini',
    messages: [{ role: 'user', content: 'hi' }],
  })
  expect(JSON.stringify(answer)).not.toContain(KEY)
  expect(JSON.stringify(answer)).toContain('echo [redacted]')
  const last = seen.at(-1)
  expect(last?.url).toBe('/v1/chat/completions')
  expect(last?.headers.authorization).toBe(`Bearer ${KEY}`)
  expect(last?.headers['x-api-key']).toBeUndefined()
})

it('a browser Authorization header is not forwarded, and no upstream header comes back', async () => {
  const answer = await post(`${server.url}/api/goapi/v1/chat/completions`, chat, { authorization: 'Bearer browser' })
  expect(answer.status).toBe(200)
  expect(answer.headers.get('x-echo')).toBeNull()
  expect(seen.at(-1)?.headers.authorization).toBe(`Bearer ${KEY}`)
  expect(await answer.text()).not.toContain(KEY)
})

it('a streamed answer is scrubbed even when the key is split between chunks', async () => {
  const answer = await post(`${server.url}/api/goapi/v1/chat/completions`, { ...chat, stream: true })
  expect(answer.headers.get('content-type')).toBe('text/event-stream')
  expect(answer.headers.get('set-cookie')).toBeNull()
  const text = await answer.text()
  expect(text).not.toContain(KEY)
  expect(text).not.toContain(KEY.slice(0, 7))
  expect(text).toContain('your key is [redacted]')
  expect(text).toContain('data: [DONE]')
})

it('a body the spec refuses gets 400 with field paths, and routes not opted into get 404', async () => {
  const before = seen.length
  const bad = await post(`${server.url}/api/goapi/v1/chat/completions`, { model: 'gpt-4o-mini' })
  expect(bad.status).toBe(400)
  const body = (await bad.json()) as { data: { errors: Array<{ path: string; message: string }> } }
  expect(body.data.errors.some((e) => e.message.includes('messages'))).toBe(true)
  expect((await post(`${server.url}/api/goapi/v1/embeddings`, { model: 'x', input: 'y' })).status).toBe(404)
  expect(seen.length).toBe(before)
})

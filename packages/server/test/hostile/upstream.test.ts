// A hostile "GoAPI" on 127.0.0.1: answers that echo the server's key (raw and URL-encoded) in
// messages, task data and headers, set cookies, and send HTML. Nothing of it reaches the browser.
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createProxy, toNodeListener, type ProxyHandler } from '../../src/index.js'
import { FLUX, listen, post, readEvents, type Listening } from '../helpers.js'

const KEY = 'sk-live/secret+key=1'
const ENCODED = encodeURIComponent(KEY)
const taskWithKey = (id: string, status: string) => ({
  task_id: id,
  model: 'Qubico/flux1-schnell',
  task_type: 'txt2img',
  status,
  config: { webhook_config: { endpoint: 'https://x.example/hook', secret: 'wh-secret' } },
  input: { prompt: `echo ${KEY}` },
  output: status === 'completed' ? { image_url: `https://cdn.example/${ENCODED}.png` } : null,
  error: { message: `key ${KEY}` },
})

let hostile: Listening
let server: Listening
let proxy: ProxyHandler
const upstreamHeaders: string[] = []

beforeAll(async () => {
  hostile = await listen((req, res) => {
    upstreamHeaders.push(JSON.stringify(req.headers))
    const url = req.url ?? ''
    req.resume()
    const headers = { 'content-type': 'application/json', 'set-cookie': `k=${KEY}`, 'x-echo': KEY }
    if (req.method === 'POST' && url === '/api/v1/task') {
      res.writeHead(200, headers)
      return res.end(JSON.stringify({ code: 200, message: `ok ${KEY}`, data: taskWithKey('t-1', 'pending') }))
    }
    if (url === '/api/v1/task/t-1') {
      res.writeHead(200, headers)
      return res.end(JSON.stringify({ code: 200, data: taskWithKey('t-1', 'completed') }))
    }
    if (url === '/api/v1/task/t-bad') {
      res.writeHead(400, headers)
      return res.end(JSON.stringify({ code: 400, message: `bad key ${KEY} \u001b[31m\u202e` }))
    }
    if (url === '/api/v1/task/t-html') {
      res.writeHead(502, { 'content-type': 'text/html', 'x-echo': KEY })
      return res.end(`<html>${KEY}</html>`)
    }
    res.writeHead(401, headers)
    res.end(JSON.stringify({ code: 401, message: `wrong key ${KEY}` }))
  })
  proxy = createProxy({
    apiKey: KEY,
    baseUrl: hostile.url,
    basePath: '/api/goapi',
    allow: { models: ['Qubico/flux1-schnell'] },
    maxRetries: 0,
  })
  server = await listen(toNodeListener(proxy))
})
afterAll(async () => {
  proxy.close()
  await server.close()
  await hostile.close()
})

async function expectClean(response: Response): Promise<string> {
  const text = await response.text()
  const headers = JSON.stringify([...response.headers])
  for (const secret of [KEY, ENCODED, 'wh-secret']) {
    expect(text).not.toContain(secret)
    expect(headers).not.toContain(secret)
  }
  expect(response.headers.get('set-cookie')).toBeNull()
  expect(response.headers.get('x-echo')).toBeNull()
  return text
}

it('a created task echoing the key is scrubbed, and its webhook config dropped', async () => {
  const text = await expectClean(await post(`${server.url}/api/goapi/api/v1/task`, FLUX))
  expect(JSON.parse(text)).toMatchObject({ data: { task_id: 't-1', input: { prompt: 'echo [redacted]' } } })
  expect(upstreamHeaders.at(-1)).toContain(JSON.stringify(KEY).slice(1, -1))
})

it('reads, errors, HTML pages and the events stream carry no trace of the key', async () => {
  await expectClean(await fetch(`${server.url}/api/goapi/api/v1/task/t-1`))
  const bad = await fetch(`${server.url}/api/goapi/api/v1/task/t-bad`)
  expect(bad.status).toBe(400)
  const badText = await expectClean(bad)
  expect(badText).not.toMatch(/[\u001b\u202e]/)
  const html = await fetch(`${server.url}/api/goapi/api/v1/task/t-html`)
  expect(html.status).toBe(502)
  expect(html.headers.get('content-type')).toMatch(/^application\/json/)
  await expectClean(html)
  const refused = await fetch(`${server.url}/api/goapi/api/v1/task/t-other`)
  expect(refused.status).toBe(502)
  expect(await expectClean(refused)).toContain("refused the proxy's API key")
  const stream = await fetch(`${server.url}/api/goapi/api/v1/task/t-1/events`)
  const events = await readEvents(new Response(await expectClean(stream)))
  expect(events.map((e) => e.event)).toEqual(['task', 'end'])
})

// Finding 4: a hostile API answer redirecting elsewhere. Two loopback servers: the "API" that
// redirects, and another origin that records anything that reaches it. The key must never arrive
// there, and a create must be sent exactly once.
import { afterEach, describe, expect, it } from 'vitest'
import {
  rawClient,
  MAX_REDIRECTS,
  RedirectError,
  TaskCreationUnknownError,
  createClient,
  defineOperation,
  getAccountInfo,
} from '../../src/index.js'
import { hostile, json, task, type Hostile } from './servers.js'

const KEY = 'sk-redirect-canary-3f9'
const open: Hostile[] = []
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()))
})

async function pair(status: number, path = '/steal') {
  const elsewhere = await hostile((_req, res) => json(res, 200, { code: 200, data: task('stolen') }))
  const api = await hostile((_req, res) => {
    res.writeHead(status, { location: `${elsewhere.url}${path}` })
    res.end()
  })
  open.push(elsewhere, api)
  return { api, elsewhere, goapi: createClient({ apiKey: KEY, baseUrl: api.url, maxRetries: 2 }) }
}

const create = {
  model: 'Qubico/flux1-schnell',
  task_type: 'txt2img',
  input: { prompt: 'a bear' },
} as const

describe('redirects never carry the key to another origin', () => {
  for (const status of [301, 302, 303, 307, 308]) {
    it(`a create answered ${status} is sent once and goes nowhere else`, async () => {
      const { api, elsewhere, goapi } = await pair(status)
      const error = await goapi.createTask(create).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(TaskCreationUnknownError)
      expect((error as TaskCreationUnknownError).reason).toBe('invalid-response')
      expect((error as TaskCreationUnknownError).cause).toBeInstanceOf(RedirectError)
      expect(api.hits.filter((h) => h.method === 'POST')).toHaveLength(1)
      expect(elsewhere.hits).toHaveLength(0)
    })

    it(`a read answered ${status} to another origin is a RedirectError, not retried`, async () => {
      const { api, elsewhere, goapi } = await pair(status)
      const error = await goapi.getTask('abc').catch((e: unknown) => e)
      expect(error).toBeInstanceOf(RedirectError)
      expect((error as RedirectError).status).toBe(status)
      expect((error as RedirectError).location).toBe(`${elsewhere.url}/steal`)
      expect(api.hits).toHaveLength(1)
      expect(elsewhere.hits).toHaveLength(0)
    })
  }

  it('the raw openapi-fetch client does not follow either', async () => {
    const { elsewhere, goapi } = await pair(302)
    await expect(
      rawClient(goapi).GET('/api/v1/task/{task_id}', { params: { path: { task_id: 'abc' } } }),
    ).rejects.toBeInstanceOf(RedirectError)
    await expect(rawClient(goapi).POST('/api/v1/task', { body: create as never })).rejects.toBeInstanceOf(RedirectError)
    expect(elsewhere.hits).toHaveLength(0)
  })

  it('nor do route functions, with x-api-key or a bearer token', async () => {
    const { elsewhere, goapi } = await pair(307)
    await expect(getAccountInfo(goapi)).rejects.toBeInstanceOf(RedirectError)
    const speech = defineOperation('post', '/v1/audio/speech', { auth: 'bearer', bodyType: 'json', response: 'binary' })
    await expect(speech(goapi, { model: 'tts-1', input: 'hi', voice: 'alloy' } as never)).rejects.toBeInstanceOf(
      RedirectError,
    )
    await expect(speech.stream(goapi, { model: 'tts-1', input: 'hi', voice: 'alloy' } as never)).rejects.toBeInstanceOf(
      RedirectError,
    )
    expect(elsewhere.hits).toHaveLength(0)
  })

  it('a redirect to the same host on another port (another origin) is refused too', async () => {
    const { elsewhere, goapi } = await pair(302, '/api/v1/task/abc')
    await expect(goapi.getTask('abc')).rejects.toBeInstanceOf(RedirectError)
    expect(elsewhere.hits).toHaveLength(0)
  })

  it('the Location is scrubbed of the key in the error', async () => {
    const api = await hostile((_req, res) => {
      res.writeHead(302, { location: `http://127.0.0.1:1/?k=${KEY}&e=${encodeURIComponent(KEY)}` })
      res.end()
    })
    open.push(api)
    const error = await createClient({ apiKey: KEY, baseUrl: api.url })
      .getTask('abc')
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(RedirectError)
    expect(JSON.stringify(error)).not.toContain(KEY)
    expect((error as Error).message).toContain('[redacted]')
  })
})

describe('same-origin GET redirects are followed, bounded', () => {
  it('follows a same-origin GET redirect (key kept: same origin)', async () => {
    const api = await hostile((req, res, hit) => {
      if (req.url === '/api/v1/task/old') {
        res.writeHead(302, { location: '/api/v1/task/new' })
        return res.end()
      }
      return json(res, hit.headers['x-api-key'] === KEY ? 200 : 401, { code: 200, data: task('new') })
    })
    open.push(api)
    const got = await createClient({ apiKey: KEY, baseUrl: api.url }).getTask('old')
    expect(got.task_id).toBe('new')
    expect(api.hits.map((h) => h.url)).toEqual(['/api/v1/task/old', '/api/v1/task/new'])
  })

  it(`gives up after ${MAX_REDIRECTS} hops of a redirect loop`, async () => {
    const api = await hostile((_req, res, _hit, n) => {
      res.writeHead(302, { location: `/api/v1/task/hop${n}` })
      res.end()
    })
    open.push(api)
    const error = await createClient({ apiKey: KEY, baseUrl: api.url, maxRetries: 0 })
      .getTask('abc')
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(RedirectError)
    expect(api.hits).toHaveLength(MAX_REDIRECTS + 1)
  })

  it('never follows a POST, even to the same origin', async () => {
    const api = await hostile((req, res) => {
      if (req.method === 'POST') {
        res.writeHead(307, { location: '/api/v1/task' })
        return res.end()
      }
      return json(res, 200, { code: 200, data: task('x') })
    })
    open.push(api)
    const error = await createClient({ apiKey: KEY, baseUrl: api.url })
      .createTask(create)
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TaskCreationUnknownError)
    expect(api.hits).toHaveLength(1)
  })
})

// Finding 3: key leaks. Hostile servers echo the key they receive everywhere they can (message,
// reason phrase, nested error fields, object keys, headers, task error text, Location, malformed
// HTTP); every error class of the client is provoked and walked (message, stack, util.inspect,
// JSON.stringify, own properties, the cause chain), and so is every log line: 0 copies of the key.
import { inspect } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'
import {
  APIConnectionError,
  APIError,
  AbortError,
  AuthenticationError,
  ConfigurationError,
  GoApiError,
  InsufficientCreditsError,
  InternalServerError,
  InvalidRequestError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  RedirectError,
  ResponseTooLargeError,
  TaskCreationUnknownError,
  TaskFailedError,
  TimeoutError,
  WebhookVerificationError,
  createClient,
  defineOperation,
  getAccountInfo,
  verifyWebhookPayload,
  type ClientOptions,
  type Logger,
} from '../../src/index.js'
import { hostile, json, rawTcp, task, type Hit, type Hostile } from './servers.js'

const KEY = 'sk-canary/Q+7=zz91'
const FORMS = [KEY, encodeURIComponent(KEY)]

/** Every copy of the key (raw, Bearer or URL-encoded form) in everything an error exposes. */
function copies(value: unknown): number {
  const texts: string[] = []
  const seen = new Set<unknown>()
  for (let e: unknown = value, i = 0; typeof e === 'object' && e !== null && i < 20 && !seen.has(e); i++) {
    seen.add(e)
    const err = e as Error & Record<string, unknown>
    texts.push(String(err.message), String(err.stack), JSON.stringify(err) ?? '')
    texts.push(inspect(err, { depth: Infinity, showHidden: true, getters: true }))
    for (const name of Object.getOwnPropertyNames(err))
      texts.push(inspect(err[name], { depth: Infinity, showHidden: true }))
    e = err.cause
  }
  return texts.reduce((n, t) => n + FORMS.reduce((m, f) => m + t.split(f).length - 1, 0), 0)
}

/** The key the server received (x-api-key or Bearer), echoed back in every way it can. */
function echoed(hit: Hit): string {
  const auth = hit.headers.authorization
  return (hit.headers['x-api-key'] as string | undefined) ?? (auth ? auth.replace(/^Bearer /, '') : 'no key?')
}
function everywhere(key: string): Record<string, unknown> {
  return {
    code: 10000,
    message: `bad key ${key} (Bearer ${key}, ${encodeURIComponent(key)})`,
    error: { message: key, raw_message: `Authorization: Bearer ${key}` },
    data: { [key]: key, nested: [{ deeper: { deepest: [key, encodeURIComponent(key)] } }] },
  }
}
function reply(
  res: import('node:http').ServerResponse,
  status: number,
  key: string,
  extra: Record<string, string> = {},
) {
  res.writeHead(status, `No ${key}`, {
    'content-type': 'application/json',
    'x-echo': key,
    'www-authenticate': `Bearer ${key}`,
    ...extra,
  })
  res.end(JSON.stringify(everywhere(key)))
}

const servers: Array<{ close(): Promise<void> }> = []
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()))
})
async function serve(handler: Parameters<typeof hostile>[0]): Promise<Hostile> {
  const s = await hostile(handler)
  servers.push(s)
  return s
}

const logged: string[] = []
const logger: Logger = {
  debug: (m, meta) => logged.push(m, inspect(meta, { depth: Infinity })),
  info: (m, meta) => logged.push(m, inspect(meta, { depth: Infinity })),
  warn: (m, meta) => logged.push(m, inspect(meta, { depth: Infinity })),
  error: (m, meta) => logged.push(m, inspect(meta, { depth: Infinity })),
}
const client = (baseUrl: string, extra: ClientOptions = {}) =>
  createClient({ apiKey: KEY, baseUrl, logger, logLevel: 'debug', maxRetries: 0, ...extra })
const create = { model: 'Qubico/flux1-schnell', task_type: 'txt2img', input: { prompt: 'a bear' } } as const

async function provoked(run: () => Promise<unknown>): Promise<unknown> {
  try {
    await run()
  } catch (error) {
    return error
  }
  throw new Error('expected an error')
}

describe('the canary key never appears in an error or a log line', () => {
  const statuses: Array<[number, abstract new (...args: never[]) => GoApiError]> = [
    [400, InvalidRequestError],
    [401, AuthenticationError],
    [402, InsufficientCreditsError],
    [403, PermissionDeniedError],
    [404, NotFoundError],
    [418, APIError],
    [429, RateLimitError],
    [500, InternalServerError],
    [503, InternalServerError],
  ]
  for (const [status, type] of statuses) {
    it(`${type.name} (${status}, the key echoed in reason phrase, body, keys and headers)`, async () => {
      const server = await serve((_req, res, hit) => reply(res, status, echoed(hit), { 'retry-after': KEY }))
      const error = await provoked(() => client(server.url).getTask('abc'))
      expect(error).toBeInstanceOf(type)
      expect(copies(error)).toBe(0)
    })
  }

  it('route functions: a bearer route echoing `Bearer <key>`', async () => {
    const server = await serve((_req, res, hit) => reply(res, 401, echoed(hit)))
    const speech = defineOperation('post', '/v1/audio/speech', { auth: 'bearer', bodyType: 'json', response: 'binary' })
    const error = await provoked(() =>
      speech(client(server.url), { model: 'tts-1', input: 'x', voice: 'alloy' } as never),
    )
    expect(error).toBeInstanceOf(AuthenticationError)
    expect(copies(error)).toBe(0)
    expect(copies(await provoked(() => getAccountInfo(client(server.url))))).toBe(0)
  })

  it('an event stream echoing the key in an event that is not JSON, and in one that is', async () => {
    const server = await serve((_req, res, hit) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      res.end(`data: {"echo":"${echoed(hit)}"}\n\ndata: not json ${echoed(hit)}\n\n`)
    })
    const chat = defineOperation('post', '/v1/chat/completions', {
      auth: 'bearer',
      bodyType: 'json',
      response: 'stream',
    })
    const events: unknown[] = []
    const error = await provoked(async () => {
      for await (const e of await chat(client(server.url), { model: 'x', messages: [] } as never)) events.push(e)
    })
    expect(error).toBeInstanceOf(APIError)
    expect(copies(error)).toBe(0)
    expect(JSON.stringify(events)).not.toContain(KEY)
  })

  it('RedirectError (Location carrying the key)', async () => {
    const server = await serve((_req, res, hit) => {
      res.writeHead(302, `Moved ${echoed(hit)}`, {
        location: `http://127.0.0.1:1/?key=${encodeURIComponent(echoed(hit))}&k=${echoed(hit)}`,
      })
      res.end()
    })
    const error = await provoked(() => client(server.url).getTask('abc'))
    expect(error).toBeInstanceOf(RedirectError)
    expect(copies(error)).toBe(0)
  })

  it('ResponseTooLargeError (bytes and depth) and TaskCreationUnknownError around them', async () => {
    const big = await serve((_req, res, hit) => {
      res.writeHead(200, `OK ${echoed(hit)}`, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ data: { pad: `${echoed(hit)} `.repeat(10_000) } }))
    })
    const tooBig = await provoked(() => client(big.url, { maxResponseBytes: 1000 }).getTask('a'))
    expect(tooBig).toBeInstanceOf(ResponseTooLargeError)
    expect(copies(tooBig)).toBe(0)
    const deep = await serve((_req, res, hit) =>
      json(res, 200, `{"data":{"k":"${echoed(hit)}","d":${'['.repeat(1000)}${']'.repeat(1000)}}}`),
    )
    const tooDeep = await provoked(() => client(deep.url).createTask(create))
    expect(tooDeep).toBeInstanceOf(TaskCreationUnknownError)
    expect(copies(tooDeep)).toBe(0)
  })

  it('TaskCreationUnknownError (a create answered 500 echoing the key)', async () => {
    const server = await serve((_req, res, hit) => reply(res, 500, echoed(hit)))
    const error = await provoked(() => client(server.url).createTask(create))
    expect(error).toBeInstanceOf(TaskCreationUnknownError)
    expect(copies(error)).toBe(0)
  })

  it('APIConnectionError: malformed HTTP carrying the key (parser errors keep raw bytes)', async () => {
    const garbage = await rawTcp(`HTTP/1.1 200 OK\r\nX-Key: ${KEY}\r\nBad\u0001Header ${KEY}: ${KEY}\r\n\r\n`)
    servers.push(garbage)
    const error = await provoked(() => client(garbage.url).getTask('abc'))
    expect(error).toBeInstanceOf(APIConnectionError)
    expect(copies(error)).toBe(0)
  })

  it('APIConnectionError: a connection cut in the middle of a body echoing the key', async () => {
    const server = await serve((_req, res, hit) => {
      res.writeHead(200, `OK ${echoed(hit)}`, { 'content-type': 'application/json', 'content-length': '100000' })
      res.write(`{"data":{"echo":"${echoed(hit)}`)
      setTimeout(() => res.destroy(), 20)
    })
    const error = await provoked(() => client(server.url).getTask('abc'))
    expect(error).toBeInstanceOf(APIConnectionError)
    expect(copies(error)).toBe(0)
  })

  it('TimeoutError (a request) and AbortError', async () => {
    const server = await serve(() => undefined) // never answers
    const timeout = await provoked(() => client(server.url, { timeoutMs: 100 }).getTask('abc'))
    expect(timeout).toBeInstanceOf(TimeoutError)
    expect(copies(timeout)).toBe(0)
    const controller = new AbortController()
    const pending = provoked(() => client(server.url).getTask('abc', { signal: controller.signal }))
    setTimeout(() => controller.abort(), 20)
    const aborted = await pending
    expect(aborted).toBeInstanceOf(AbortError)
    expect(copies(aborted)).toBe(0)
  })

  it('TimeoutError of a wait: its last task echoes the key', async () => {
    const server = await serve((_req, res, hit) =>
      json(res, 200, {
        code: 200,
        data: task(`t-${echoed(hit)}`, 'processing', { meta: everywhere(echoed(hit)), logs: [echoed(hit)] }),
      }),
    )
    // The wait starts from a task read from the server (with no deadline): whether one of its own
    // polls is answered within 150 ms depends on the machine, so the error's last task must not.
    const c = client(server.url)
    const seen = await c.getTask('abc')
    const error = await provoked(() => c.wait(seen, { timeoutMs: 150, poll: { initialDelayMs: 1 } }))
    expect(error).toBeInstanceOf(TimeoutError)
    expect((error as TimeoutError).task).toBeDefined()
    expect(copies(error)).toBe(0)
  })

  it('TaskFailedError: the failed task echoes the key in its error text, output and id', async () => {
    const server = await serve((_req, res, hit) => {
      const key = echoed(hit)
      json(res, 200, {
        code: 200,
        data: task(`t-${key}`, 'failed', {
          model: `m-${key}`,
          error: { code: 10000, message: `upstream said: invalid key ${key}`, raw_message: `Bearer ${key}` },
          output: { [key]: [key, encodeURIComponent(key)] },
          detail: everywhere(key),
        }),
      })
    })
    const error = await provoked(() => client(server.url).wait('abc', { poll: { initialDelayMs: 1 } }))
    expect(error).toBeInstanceOf(TaskFailedError)
    expect((error as TaskFailedError).message).toContain('[redacted]')
    expect(copies(error)).toBe(0)
  })

  it('ConfigurationError and WebhookVerificationError', async () => {
    const config = await provoked(async () => createClient({ apiKey: KEY, baseUrl: [] }))
    expect(config).toBeInstanceOf(ConfigurationError)
    expect(copies(config)).toBe(0)
    const body = JSON.stringify({ timestamp: 1, data: { task_id: KEY, model: KEY, task_type: KEY } })
    const wrong = await provoked(() => verifyWebhookPayload({ 'x-webhook-secret': KEY }, body, { secret: 'whsec-x' }))
    expect(wrong).toBeInstanceOf(WebhookVerificationError)
    expect(copies(wrong)).toBe(0)
    const invalid = await provoked(() => verifyWebhookPayload({ 'x-webhook-secret': KEY }, `{${KEY}`, { secret: KEY }))
    expect(invalid).toBeInstanceOf(WebhookVerificationError)
    expect(copies(invalid)).toBe(0)
  })

  it('and no log line of all the above carried it', () => {
    expect(logged.length).toBeGreaterThan(10)
    expect(logged.filter((l) => FORMS.some((f) => l.includes(f)))).toEqual([])
  })
})

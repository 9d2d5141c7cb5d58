// Reliability over real HTTP against @goapi/mock: every fault comes from the simulator's fault
// rules (`mock.faults.add`). Two cases use something else because the simulator cannot express
// them: a `Retry-After` given as an HTTP date (the simulator sends seconds), served by the small
// loopback server of ./fault-server.ts, and a connection refused (a port where nothing listens).
import { inspect } from 'node:util'
import { SpecIndex, startMock, type FaultRule, type MockServer } from '@goapi/mock'
import { describe, expect, it } from 'vitest'
import {
  APIConnectionError,
  APIError,
  AuthenticationError,
  InternalServerError,
  InvalidRequestError,
  RateLimitError,
  TaskCreationUnknownError,
  TimeoutError,
  createClient,
  type ClientOptions,
  type CreationUnknownReason,
  type GoApiClient,
  type Logger,
} from '../src/index.js'
import { errorCodes, provablyNotSent } from '../src/internal/retry.js'
import { json, refusedUrl, startFaultServer, task, type FaultServer } from './fault-server.js'

// `+` and `/` make the URL-encoded form of the key differ from the key itself.
const KEY = 'sk-secret+key/4242424242'
const FLUX = { model: 'Qubico/flux1-schnell', task_type: 'txt2img', input: { prompt: 'a bear' } } as const
const spec = new SpecIndex()

type Cleanup = (fn: () => Promise<void>) => void

/**
 * A fresh simulator for one test (tasks stay pending, so they can be cancelled), closed after it
 * by the test's own `onTestFinished` (tests run concurrently).
 */
async function simulator(cleanup: Cleanup, options: Parameters<typeof startMock>[0] = {}): Promise<MockServer> {
  const mock = await startMock({ spec, latency: { pendingMs: 600_000, processingMs: 0 }, ...options })
  cleanup(() => mock.close())
  return mock
}

/** Every request the client sends, as `METHOD /path` with the host, and the API key it carried. */
function recorder() {
  const sent: Array<{ method: string; url: string; key: string | null; cache: string }> = []
  const fetchFn: typeof fetch = (input, init) => {
    // The client calls `fetch(url, init)`; `raw` calls `fetch(request)`: record both the same way.
    const request = new Request(input, init)
    sent.push({
      method: request.method,
      url: request.url,
      key: request.headers.get('x-api-key'),
      cache: request.cache,
    })
    return fetch(input, init)
  }
  const count = (method: string, path: RegExp) =>
    sent.filter((s) => s.method === method && path.test(new URL(s.url).pathname)).length
  return { sent, fetch: fetchFn, count }
}

// Per-request timeouts. No test's outcome may depend on a timeout racing an answer (a busy machine
// answers a loopback request in seconds, not milliseconds), so a timeout is only ever meant to end
// an attempt the simulator holds forever (`delayMs` / `slowBodyMs` of 600 s):
/** For calls that must be answered: a timeout here is never part of the outcome. */
const ANSWERED_MS = 60_000
/** For calls whose every attempt meets a hang: any value ends them the same way, so a short one. */
const HUNG_MS = 200
/**
 * For calls where one attempt meets a hang and another must be answered with the same per-request
 * timeout (a read that recovers; a create whose slow answer comes after the task was recorded): as
 * long as a test can afford, so that a loaded machine still answers the other attempt in time.
 */
const RECOVER_MS = 5_000

function client(baseUrl: string | string[], extra: Partial<ClientOptions> = {}): GoApiClient {
  return createClient({
    apiKey: KEY,
    baseUrl,
    retry: { initialDelayMs: 1, maxDelayMs: 5 },
    timeoutMs: ANSWERED_MS,
    ...extra,
  })
}

/** Whether a rule holds the request (a timeout is what ends an attempt that meets it). */
const hangs = (rule: Rule) => rule.delayMs !== undefined || rule.slowBodyMs !== undefined

function lines() {
  const out: string[] = []
  const sink = (m: string, meta?: Record<string, unknown>) => out.push(m + JSON.stringify(meta ?? {}))
  const logger: Logger = { debug: sink, info: sink, warn: sink, error: sink }
  return { out, logger }
}

type Rule = Omit<FaultRule, 'route'>
interface FaultCase {
  rule: Rule
  /** The typed error a read ends with when the fault persists. */
  readError: (error: unknown) => void
  /** How a create that met the fault ends; `retried` = sent again and created. */
  create: CreationUnknownReason | 'retried'
}

const serverError = (status: number) => (error: unknown) => {
  expect(error).toBeInstanceOf(InternalServerError)
  expect((error as InternalServerError).status).toBe(status)
}

// Each fault the issue lists, as a simulator rule. Creates meet them after the simulator recorded
// the task (`afterRecord`), the case where a blind retry would bill twice.
const FAULTS: Record<string, FaultCase> = {
  '500': { rule: { status: 500 }, readError: serverError(500), create: 'server-error' },
  '502': { rule: { status: 502 }, readError: serverError(502), create: 'server-error' },
  '503': { rule: { status: 503 }, readError: serverError(503), create: 'server-error' },
  '408': {
    rule: { status: 408 },
    readError: (e) => {
      expect(e).toBeInstanceOf(APIError)
      expect((e as APIError).status).toBe(408)
    },
    create: 'server-error',
  },
  '429 + Retry-After': {
    rule: { retryAfter: 1 },
    readError: (e) => {
      expect(e).toBeInstanceOf(RateLimitError)
      expect((e as RateLimitError).retryAfterMs).toBe(1000)
    },
    create: 'retried',
  },
  'connection reset': {
    rule: { reset: true },
    readError: (e) => {
      expect(e).toBeInstanceOf(APIConnectionError)
      expect((e as APIConnectionError).mayHaveReachedServer).toBe(true)
    },
    create: 'connection',
  },
  timeout: { rule: { delayMs: 600_000 }, readError: (e) => expect(e).toBeInstanceOf(TimeoutError), create: 'timeout' },
  'malformed JSON': {
    rule: { body: 'non-json', status: 200, message: '{"code":200,"data":{"task_id":' },
    readError: (e) => {
      serverError(502)(e)
      expect((e as Error).message).toMatch(/Invalid JSON/)
    },
    create: 'invalid-response',
  },
  'HTML error page': {
    rule: { body: 'html' },
    readError: (e) => {
      serverError(502)(e)
      expect((e as InternalServerError).apiMessage).toMatch(/<html>/)
    },
    create: 'server-error',
  },
  'body cut off': {
    rule: { body: 'truncated' },
    readError: (e) => expect(e).toBeInstanceOf(APIConnectionError),
    create: 'connection',
  },
  'slow body': {
    rule: { slowBodyMs: 600_000 },
    readError: (e) => expect(e).toBeInstanceOf(TimeoutError),
    create: 'timeout',
  },
}

interface ReadRoute {
  route: string
  path: RegExp
  method: string
  call: (c: GoApiClient, taskId: string) => Promise<unknown>
}
const READS: ReadRoute[] = [
  { route: 'GET /api/v1/task/:id', method: 'GET', path: /^\/api\/v1\/task\/[^/]+$/, call: (c, id) => c.getTask(id) },
  {
    route: 'DELETE /api/v1/task/:id',
    method: 'DELETE',
    path: /^\/api\/v1\/task\/[^/]+$/,
    call: (c, id) => c.cancelTask(id),
  },
  {
    route: 'DELETE /api/v1/tasks',
    method: 'DELETE',
    path: /^\/api\/v1\/tasks$/,
    call: (c) => c.cancelTasks({ createdBefore: Date.now() + 60_000, model: 'all' }),
  },
]
const CREATE = /^\/api\/v1\/task$/

/** Creates a task on the simulator (without faults) for the read routes to use. */
async function seed(mock: MockServer): Promise<string> {
  return (await client(mock.url).createTask(FLUX)).task_id
}

describe.concurrent('fault matrix: reads recover after one fault', () => {
  for (const read of READS) {
    for (const [name, { rule }] of Object.entries(FAULTS)) {
      it(`${read.route} after ${name}`, async ({ onTestFinished }) => {
        const mock = await simulator(onTestFinished)
        const id = await seed(mock)
        mock.faults.add({ route: read.route, times: 1, ...rule })
        const rec = recorder()
        const log = lines()
        const timeoutMs = hangs(rule) ? RECOVER_MS : ANSWERED_MS
        const result = read.call(client(mock.url, { fetch: rec.fetch, logger: log.logger, timeoutMs }), id)
        if (rule.slowBodyMs !== undefined && read.route === 'DELETE /api/v1/task/:id') {
          // The first cancel was carried out (only its answer was slow), so the retry finds the
          // task no longer pending: GoAPI's 400, and the task is cancelled.
          await expect(result).rejects.toThrow(InvalidRequestError)
          await expect(result).rejects.toThrow(/not pending/)
          expect(mock.state.get(id)?.cancelledAt).toBeDefined()
        } else {
          await expect(result).resolves.toBeDefined()
        }
        expect(rec.count(read.method, read.path)).toBe(2)
        expect(mock.faults.list()).toEqual([])
        if (rule.retryAfter !== undefined) expect(log.out.some((l) => l.includes('in 1000 ms'))).toBe(true)
      })
    }
  }
})

describe.concurrent('fault matrix: reads end with the typed error when the fault persists', () => {
  for (const read of READS) {
    for (const [name, { rule, readError }] of Object.entries(FAULTS)) {
      it(`${read.route} keeps meeting ${name}`, async ({ onTestFinished }) => {
        const mock = await simulator(onTestFinished)
        const id = await seed(mock)
        mock.faults.add({ route: read.route, ...rule })
        const rec = recorder()
        const error = await read
          .call(
            client(mock.url, { fetch: rec.fetch, maxRetries: 1, timeoutMs: hangs(rule) ? HUNG_MS : ANSWERED_MS }),
            id,
          )
          .catch((e: unknown) => e)
        readError(error)
        expect(rec.count(read.method, read.path)).toBe(2)
      })
    }
  }
})

describe.concurrent('fault matrix: create is never blindly retried', () => {
  for (const [name, { rule, create }] of Object.entries(FAULTS)) {
    const retried = create === 'retried'
    it(`POST /api/v1/task after ${name}: ${retried ? 'retried, created once' : `TaskCreationUnknownError (${create}), sent once`}`, async ({
      onTestFinished,
    }) => {
      const mock = await simulator(onTestFinished)
      mock.faults.add({ route: 'POST /api/v1/task', times: 1, ...rule, ...(retried ? {} : { afterRecord: true }) })
      const rec = recorder()
      // A slow body comes after the task was recorded, which the count below checks: the create
      // must not give up before the simulator got that far.
      const timeoutMs = rule.slowBodyMs !== undefined ? RECOVER_MS : rule.delayMs !== undefined ? HUNG_MS : ANSWERED_MS
      const result = await client(mock.url, { fetch: rec.fetch, timeoutMs })
        .createTask(FLUX)
        .catch((e: unknown) => e)
      if (retried) {
        expect(result).toMatchObject({ model: FLUX.model, task_type: FLUX.task_type })
        expect(rec.count('POST', CREATE)).toBe(2)
      } else {
        expect(result).toBeInstanceOf(TaskCreationUnknownError)
        expect((result as TaskCreationUnknownError).reason).toBe(create)
        expect((result as TaskCreationUnknownError).message).toMatch(/may have been created/)
        expect(rec.count('POST', CREATE)).toBe(1)
      }
      // A delay before answering (timeout) holds the request before the task is recorded.
      expect(mock.state.created).toBe(rule.delayMs !== undefined ? 0 : 1)
    })
  }

  it('retries a create refused with 429 until it goes through', async ({ onTestFinished }) => {
    const mock = await simulator(onTestFinished)
    mock.faults.add({ route: 'POST /api/v1/task', retryAfter: 0, times: 2 })
    const rec = recorder()
    const created = await client(mock.url, { fetch: rec.fetch }).createTask(FLUX)
    expect(mock.state.tasks.has(created.task_id)).toBe(true)
    expect(rec.count('POST', CREATE)).toBe(3)
    expect(mock.state.created).toBe(1)
  })

  it('retries a create that provably never left (connection refused), on the next host', async ({ onTestFinished }) => {
    const dead = await refusedUrl()
    const mock = await simulator(onTestFinished)
    const rec = recorder()
    const created = await client([dead, mock.url], { fetch: rec.fetch }).createTask(FLUX)
    expect(mock.state.tasks.has(created.task_id)).toBe(true)
    expect(rec.sent.map((s) => new URL(s.url).origin)).toEqual([dead, mock.url])
  })

  it('reports a refused create with no other host as APIConnectionError that did not reach the server', async () => {
    const dead = await refusedUrl()
    const error = await client(dead, { maxRetries: 1 })
      .createTask(FLUX)
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(APIConnectionError)
    expect((error as APIConnectionError).mayHaveReachedServer).toBe(false)
    expect((error as APIConnectionError).causeCode).toBe('ECONNREFUSED')
  })

  it('treats DNS failures as never sent', () => {
    const dns = new TypeError('fetch failed', {
      cause: Object.assign(new Error('getaddrinfo ENOTFOUND api.goapi.ai'), { code: 'ENOTFOUND' }),
    })
    const refused = new TypeError('fetch failed', {
      cause: new AggregateError([
        Object.assign(new Error('a'), { code: 'ECONNREFUSED' }),
        Object.assign(new Error('b'), { code: 'ECONNREFUSED' }),
      ]),
    })
    const reset = new TypeError('fetch failed', {
      cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }),
    })
    expect(provablyNotSent(errorCodes(dns))).toBe(true)
    expect(provablyNotSent(errorCodes(refused))).toBe(true)
    expect(provablyNotSent(errorCodes(reset))).toBe(false)
    expect(provablyNotSent(errorCodes(new TypeError('fetch failed')))).toBe(false)
  })
})

describe('no double-billing', () => {
  it('1,000 creates with faults after the simulator recorded the task: its task count is what the client reports, 0 duplicates', async ({
    onTestFinished,
  }) => {
    const mock = await simulator(onTestFinished, { latency: { pendingMs: 0, processingMs: 0 } })
    const route = 'POST /api/v1/task'
    // One rule per arriving create, in a repeating pattern; a pass-through rule (`delayMs: 0`)
    // keeps an undisturbed answer's place in it. 429s come before recording (safe to retry);
    // every other fault comes after the task was recorded. Every one of them is answered (or cut
    // off) at once, so no timeout takes part: a create given up on by a timeout may or may not have
    // been recorded, which would make "recorded" and "reported" differ for no fault of the client.
    // Hangs come in the second part, below.
    const pattern: Rule[] = [
      { delayMs: 0 },
      { retryAfter: 0 },
      { reset: true, afterRecord: true },
      { status: 500, afterRecord: true },
      { delayMs: 0 },
      { status: 503, afterRecord: true },
      { body: 'non-json', status: 200, afterRecord: true },
      { body: 'html', afterRecord: true },
      { delayMs: 0 },
      { status: 408, afterRecord: true },
      { body: 'truncated', afterRecord: true },
    ]
    const rules = Array.from({ length: 1200 }, (_, i) => pattern[i % pattern.length] ?? {})
    for (const rule of rules) mock.faults.add({ route, times: 1, ...rule })
    const throttleRules = rules.filter((r) => r.retryAfter !== undefined).length

    const rec = recorder()
    const c = client(mock.url, { fetch: rec.fetch })
    const created = new Map<string, string>() // prompt → task id
    const unknown: string[] = []
    const refused: string[] = [] // 429 three times in a row: never recorded
    const prompts = Array.from({ length: 1000 }, (_, i) => `prompt ${i}`)
    let next = 0
    const worker = async () => {
      for (let i = next++; i < prompts.length; i = next++) {
        const prompt = prompts[i] ?? ''
        try {
          created.set(prompt, (await c.createTask({ ...FLUX, input: { prompt } })).task_id)
        } catch (error) {
          if (error instanceof TaskCreationUnknownError) unknown.push(prompt)
          else if (error instanceof RateLimitError) refused.push(prompt)
          else throw error
        }
      }
    }
    await Promise.all(Array.from({ length: 100 }, worker))

    const recorded = new Map<string, number>()
    for (const t of mock.state.tasks.values()) {
      const prompt = (t.input as { prompt: string }).prompt
      recorded.set(prompt, (recorded.get(prompt) ?? 0) + 1)
    }
    // 0 duplicates: no prompt was recorded twice.
    expect([...recorded.values()].filter((n) => n !== 1)).toEqual([])
    // The simulator's task count equals what the client reports as created or possibly created.
    const unknowns = new Set(unknown)
    const unreported = [...recorded.keys()].filter((p) => !created.has(p) && !unknowns.has(p))
    expect(unreported.map((p) => `${p}${refused.includes(p) ? ' (reported refused)' : ''}`)).toEqual([])
    expect(mock.state.created).toBe(created.size + unknown.length)
    expect(new Set(recorded.keys())).toEqual(new Set([...created.keys(), ...unknown]))
    for (const [prompt, id] of created) expect(mock.state.get(id)?.input).toEqual({ prompt })
    expect(refused.every((p) => !recorded.has(p))).toBe(true)
    // Every create sent was either recorded once or refused with 429 (and only those were sent again).
    const throttled = throttleRules - mock.faults.list().filter((f) => f.retryAfter !== undefined).length
    expect(rec.count('POST', CREATE)).toBe(mock.state.created + throttled)
    expect(unknown.length).toBeGreaterThan(300)
    expect(created.size).toBeGreaterThan(200)

    // Then 100 creates whose answer hangs after the task was recorded (the head and half the body
    // are sent, the rest never): each ends with TaskCreationUnknownError (timeout), sent once.
    // Whether the simulator had recorded it when the client gave up depends on the machine's
    // speed; what may not happen is a recorded task the client did not report, or a duplicate.
    // Once the answer's head came back the task was certainly recorded.
    mock.faults.clear()
    mock.faults.add({ route, slowBodyMs: 600_000 })
    const sentBefore = rec.count('POST', CREATE)
    const recordedBefore = mock.state.created
    const headed = new Set<string>()
    const hungFetch: typeof fetch = async (input, init) => {
      // The client's task calls send fetch(url, init) with a JSON string body; raw sends a Request.
      const text = input instanceof Request ? await input.clone().text() : String(init?.body)
      const body = JSON.parse(text) as { input: { prompt: string } }
      const response = await rec.fetch(input, init)
      headed.add(body.input.prompt)
      return response
    }
    const hung = client(mock.url, { fetch: hungFetch, timeoutMs: HUNG_MS })
    const hungPrompts = Array.from({ length: 100 }, (_, i) => `hung ${i}`)
    const outcomes = await Promise.all(
      hungPrompts.map((prompt) => hung.createTask({ ...FLUX, input: { prompt } }).catch((e: unknown) => e)),
    )
    for (const outcome of outcomes) {
      expect(outcome).toBeInstanceOf(TaskCreationUnknownError)
      expect((outcome as TaskCreationUnknownError).reason).toBe('timeout')
    }
    expect(rec.count('POST', CREATE) - sentBefore).toBe(hungPrompts.length)
    const hungRecorded = [...mock.state.tasks.values()]
      .map((t) => (t.input as { prompt: string }).prompt)
      .filter((p) => p.startsWith('hung '))
    expect(hungRecorded.length).toBe(new Set(hungRecorded).size)
    expect(hungRecorded.length).toBe(mock.state.created - recordedBefore)
    expect(hungRecorded.every((p) => hungPrompts.includes(p))).toBe(true)
    expect([...headed].filter((p) => !hungRecorded.includes(p))).toEqual([])
  }, 120_000)
})

describe('failover', () => {
  it('reads fail over to the next host on connection errors and stay there', async ({ onTestFinished }) => {
    const dead = await refusedUrl()
    const mock = await simulator(onTestFinished)
    const [a, b] = [await seed(mock), await seed(mock)]
    const rec = recorder()
    const c = client([dead, mock.url], { fetch: rec.fetch })
    await c.getTask(a)
    await c.getTask(b)
    expect(rec.sent.map((s) => s.url)).toEqual([
      `${dead}/api/v1/task/${a}`,
      `${mock.url}/api/v1/task/${a}`,
      `${mock.url}/api/v1/task/${b}`,
    ])
  })

  it('reads fail over on 5xx; a create does not', async ({ onTestFinished }) => {
    const broken = await simulator(onTestFinished, { faults: [{ route: '*', status: 503 }] })
    const mock = await simulator(onTestFinished)
    const id = await seed(mock)
    const rec = recorder()
    await expect(client([broken.url, mock.url], { fetch: rec.fetch }).getTask(id)).resolves.toMatchObject({
      task_id: id,
    })
    expect(rec.sent.map((s) => new URL(s.url).origin)).toEqual([broken.url, mock.url])
    rec.sent.length = 0
    await expect(client([broken.url, mock.url], { fetch: rec.fetch }).createTask(FLUX)).rejects.toBeInstanceOf(
      TaskCreationUnknownError,
    )
    expect(rec.sent.map((s) => new URL(s.url).origin)).toEqual([broken.url])
  })

  it('defaults to the two documented domains', () => {
    expect(createClient({ apiKey: KEY }).baseUrls).toEqual(['https://api.goapi.ai', 'https://api.goapi.xyz'])
    expect(createClient({ apiKey: KEY }).baseUrl).toBe('https://api.goapi.ai')
  })
})

describe('retry limits and Retry-After', () => {
  it('gives up after maxRetries with the typed error', async ({ onTestFinished }) => {
    const mock = await simulator(onTestFinished, { faults: [{ route: 'GET /api/v1/task/:id', status: 503, times: 5 }] })
    const rec = recorder()
    const error = await client(mock.url, { maxRetries: 3, fetch: rec.fetch })
      .getTask('abc')
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(InternalServerError)
    expect((error as InternalServerError).status).toBe(503)
    expect((error as InternalServerError).taskId).toBe('abc')
    expect(rec.sent).toHaveLength(4)
  })

  it('maxRetries per call overrides the client; 0 disables', async ({ onTestFinished }) => {
    const mock = await simulator(onTestFinished, { faults: [{ route: 'GET /api/v1/task/:id', status: 503 }] })
    const rec = recorder()
    await expect(
      client(mock.url, { maxRetries: 3, fetch: rec.fetch }).getTask('abc', { maxRetries: 0 }),
    ).rejects.toBeInstanceOf(InternalServerError)
    expect(rec.sent).toHaveLength(1)
  })

  it('does not retry 4xx other than 408/429', async ({ onTestFinished }) => {
    const mock = await simulator(onTestFinished, { keys: ['another-key'] })
    const rec = recorder()
    await expect(client(mock.url, { fetch: rec.fetch }).getTask('abc')).rejects.toBeInstanceOf(AuthenticationError)
    expect(rec.sent).toHaveLength(1)
  })

  it('honours Retry-After in seconds, and refuses to wait too long', async ({ onTestFinished }) => {
    const log = lines()
    const mock = await simulator(onTestFinished)
    const id = await seed(mock)
    mock.faults.add({ route: 'GET /api/v1/task/:id', retryAfter: 1, times: 1 })
    await client(mock.url, { logger: log.logger }).getTask(id)
    expect(log.out.some((l) => l.includes('in 1000 ms'))).toBe(true)

    mock.faults.add({ route: 'GET /api/v1/task/:id', retryAfter: 3600 })
    const rec = recorder()
    const error = await client(mock.url, { fetch: rec.fetch })
      .getTask(id)
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(RateLimitError)
    expect((error as RateLimitError).retryAfterMs).toBe(3_600_000)
    expect(rec.sent).toHaveLength(1)
  })

  // The simulator sends Retry-After in seconds only: a date needs the scripted loopback server.
  it('honours Retry-After given as an HTTP date', async ({ onTestFinished }) => {
    const log = lines()
    const date: FaultServer = await startFaultServer((_req, res, _hit, n) =>
      n === 1
        ? json(res, 429, { message: 'wait' }, { 'retry-after': new Date(Date.now() + 4000).toUTCString() })
        : json(res, 200, { code: 200, data: task('a') }),
    )
    onTestFinished(() => date.close())
    await client(date.url, { logger: log.logger }).getTask('a')
    const delay = Number(/in (\d+) ms/.exec(log.out.find((l) => l.includes('retry')) ?? '')?.[1])
    // Not the 1..5 ms backoff: the date was used. (The date has whole seconds, so it is 3 to 4 s
    // ahead when sent: the answer may take up to 3 s to be read on a busy machine.)
    expect(delay).toBeGreaterThan(5)
    expect(delay).toBeLessThanOrEqual(4000)
    expect(date.hits).toHaveLength(2)
  })
})

describe('the API key never leaks', () => {
  const echoes: Array<[string, Rule]> = [
    ['JSON error body', { status: 401, message: `invalid key ${KEY}` }],
    ['text error page', { body: 'non-json', status: 500, message: `boom for ${KEY} / ${encodeURIComponent(KEY)}` }],
    ['429 body', { retryAfter: 0, message: `too many for ${KEY}` }],
    ['success without data', { status: 200, message: `no data for ${encodeURIComponent(KEY)}` }],
  ]
  for (const [what, rule] of echoes) {
    it(`in errors and logs when the server echoes it (${what})`, async ({ onTestFinished }) => {
      const mock = await simulator(onTestFinished, { faults: [{ route: '*', ...rule }] })
      const log = lines()
      const rec = recorder()
      const c = client(mock.url, { logger: log.logger, logLevel: 'debug', maxRetries: 1, fetch: rec.fetch })
      for (const attempt of [() => c.getTask('a'), () => c.createTask(FLUX)]) {
        const error = await attempt().catch((e: unknown) => e)
        expect(error).toBeInstanceOf(Error)
        const e = error as Error
        for (const text of [e.message, e.stack ?? '', JSON.stringify(e), inspect(e, { depth: 10 }), String(e)]) {
          expect(text).not.toContain(KEY)
          expect(text).not.toContain(encodeURIComponent(KEY))
        }
      }
      expect(log.out.length).toBeGreaterThan(0)
      for (const line of log.out) {
        expect(line).not.toContain(KEY)
        expect(line).not.toContain(encodeURIComponent(KEY))
      }
      expect(rec.sent.length).toBeGreaterThan(0)
      expect(rec.sent.every((s) => s.key === KEY)).toBe(true)
    })
  }

  it('in connection and timeout errors', async ({ onTestFinished }) => {
    const dead = await refusedUrl()
    const hang = await simulator(onTestFinished, { faults: [{ route: '*', delayMs: 600_000 }] })
    for (const url of [dead, hang.url]) {
      const error = (await client(url, { maxRetries: 0, timeoutMs: url === dead ? ANSWERED_MS : HUNG_MS })
        .getTask('a')
        .catch((e: unknown) => e)) as Error
      expect(error).toBeInstanceOf(url === dead ? APIConnectionError : TimeoutError)
      for (const text of [error.message, error.stack ?? '', JSON.stringify(error), inspect(error, { depth: 10 })])
        expect(text).not.toContain(KEY)
    }
  })
})

describe('logger and polling requests', () => {
  it('logs at the chosen level only', async ({ onTestFinished }) => {
    const mock = await simulator(onTestFinished)
    const id = await seed(mock)
    const seen: string[] = []
    const logger: Logger = {
      debug: () => seen.push('debug'),
      info: () => seen.push('info'),
      warn: () => seen.push('warn'),
      error: () => seen.push('error'),
    }
    mock.faults.add({ route: 'GET /api/v1/task/:id', status: 503, times: 1 })
    await client(mock.url, { logger, logLevel: 'error' }).getTask(id)
    expect(seen).toEqual([])
    mock.faults.add({ route: 'GET /api/v1/task/:id', status: 503, times: 1 })
    await client(mock.url, { logger }).getTask(id)
    expect(seen).toEqual(['warn'])
  })

  it("polls with cache: 'no-store' through a custom fetch", async ({ onTestFinished }) => {
    const mock = await simulator(onTestFinished, { latency: { pendingMs: 20, processingMs: 20 } })
    const rec = recorder()
    const c = client(mock.url, { fetch: rec.fetch })
    const created = await c.createTask(FLUX)
    await c.wait(created, { poll: { initialDelayMs: 1, maxDelayMs: 2 } })
    const polls = rec.sent.filter((s) => s.method === 'GET')
    expect(polls.length).toBeGreaterThan(0)
    expect(polls.map((p) => p.cache)).toEqual(polls.map(() => 'no-store'))
  })

  it('wait() tolerates transient poll failures and ends at its deadline when polls hang', async ({
    onTestFinished,
  }) => {
    const mock = await simulator(onTestFinished, { latency: { pendingMs: 20, processingMs: 20 } })
    const c = client(mock.url)
    const created = await c.createTask(FLUX)
    mock.faults.add({ route: 'GET /api/v1/task/:id', reset: true, times: 2 })
    mock.faults.add({ route: 'GET /api/v1/task/:id', status: 503, times: 2 })
    await expect(c.wait(created, { poll: { initialDelayMs: 1, maxDelayMs: 2 } })).resolves.toMatchObject({
      status: 'completed',
    })
    expect(mock.faults.list()).toEqual([])

    mock.faults.add({ route: 'GET /api/v1/task/:id', delayMs: 600_000 })
    const error = await client(mock.url)
      .wait(created.task_id, { timeoutMs: 150, poll: { initialDelayMs: 1, maxDelayMs: 2 } })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TimeoutError)
    expect((error as TimeoutError).message).toMatch(/keeps running/)
  })
})

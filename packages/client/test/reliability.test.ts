import { inspect } from 'node:util'
import { afterEach, describe, expect, it } from 'vitest'
import {
  APIConnectionError,
  AuthenticationError,
  InternalServerError,
  RateLimitError,
  TaskCreationUnknownError,
  TimeoutError,
  createClient,
  type ClientOptions,
  type GoApiClient,
  type Logger,
} from '../src/index.js'
import { errorCodes, provablyNotSent } from '../src/internal/retry.js'
import { fault, json, refusedUrl, startFaultServer, task, type Fault, type FaultServer } from './fault-server.js'

const KEY = 'sk-secret-key-4242424242'
const FAST: Partial<ClientOptions> = { retry: { initialDelayMs: 1, maxDelayMs: 5 }, timeoutMs: 1_000 }
const servers: FaultServer[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()))
})

async function server(handler: Parameters<typeof startFaultServer>[0]): Promise<FaultServer> {
  const s = await startFaultServer(handler)
  servers.push(s)
  return s
}

function client(baseUrl: string | string[], extra: Partial<ClientOptions> = {}): GoApiClient {
  return createClient({ apiKey: KEY, baseUrl, ...FAST, ...extra })
}

/** A server that answers `faults` in turn, then succeeds. */
function scripted(faults: Fault[]) {
  return server((req, res, hit, n) => {
    const f = faults[n - 1]
    if (f) return fault(res, f)
    if (req.method === 'POST') return json(res, 200, { code: 200, data: task(`t${n}`, 'pending') })
    if (req.method === 'DELETE') return json(res, 200, { code: 200, message: 'task canceled' })
    return json(res, 200, { code: 200, data: task(hit.url.split('/').pop() ?? '') })
  })
}

const FAULTS: Fault[] = ['500', '502', '503', '408', '429', 'reset', 'hang', 'malformed', 'html', 'slow-body']
const reads: Array<[string, (c: GoApiClient) => Promise<unknown>]> = [
  ['GET /api/v1/task/{id}', (c) => c.getTask('abc')],
  ['DELETE /api/v1/task/{id}', (c) => c.cancelTask('abc')],
]

describe('fault matrix: reads', () => {
  for (const [route, callRoute] of reads) {
    for (const f of FAULTS) {
      it(`${route} recovers from one ${f}`, async () => {
        const s = await scripted([f])
        await expect(callRoute(client(s.url))).resolves.toBeDefined()
        expect(s.hits).toHaveLength(2)
      })
    }
  }

  it('gives up after maxRetries with the typed error', async () => {
    const s = await scripted(['503', '503', '503', '503', '503'])
    const error = await client(s.url, { maxRetries: 3 })
      .getTask('abc')
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(InternalServerError)
    expect((error as InternalServerError).status).toBe(503)
    expect((error as InternalServerError).taskId).toBe('abc')
    expect(s.hits).toHaveLength(4)
  })

  it('maxRetries per call overrides the client; 0 disables', async () => {
    const s = await scripted(['503', '503', '503', '503'])
    await expect(client(s.url, { maxRetries: 3 }).getTask('abc', { maxRetries: 0 })).rejects.toBeInstanceOf(
      InternalServerError,
    )
    expect(s.hits).toHaveLength(1)
  })

  it('times out a hanging request with TimeoutError', async () => {
    const s = await scripted(['hang', 'hang'])
    await expect(client(s.url, { maxRetries: 1, timeoutMs: 100 }).getTask('abc')).rejects.toBeInstanceOf(TimeoutError)
    expect(s.hits).toHaveLength(2)
  })

  it('does not retry 4xx other than 408/429', async () => {
    const s = await server((_req, res) => json(res, 401, { code: 401, message: 'bad key' }))
    await expect(client(s.url).getTask('abc')).rejects.toBeInstanceOf(AuthenticationError)
    expect(s.hits).toHaveLength(1)
  })

  it('honours Retry-After in seconds and as a date, and refuses to wait too long', async () => {
    const lines: string[] = []
    const logger: Logger = { debug: () => {}, info: () => {}, warn: (m) => lines.push(m), error: (m) => lines.push(m) }
    const seconds = await server((_req, res, hit, n) =>
      n === 1
        ? json(res, 429, { message: 'wait' }, { 'retry-after': '1' })
        : json(res, 200, { code: 200, data: task('a') }),
    )
    await client(seconds.url, { logger }).getTask('a')
    expect(lines.some((l) => l.includes('in 1000 ms'))).toBe(true)

    const date = await server((_req, res, _hit, n) =>
      n === 1
        ? json(res, 429, { message: 'wait' }, { 'retry-after': new Date(Date.now() + 2000).toUTCString() })
        : json(res, 200, { code: 200, data: task('a') }),
    )
    lines.length = 0
    await client(date.url, { logger }).getTask('a')
    const delay = Number(/in (\d+) ms/.exec(lines.find((l) => l.includes('retry')) ?? '')?.[1])
    expect(delay).toBeGreaterThan(5) // not the 1..5 ms backoff: the date was used
    expect(delay).toBeLessThanOrEqual(2000)

    const long = await server((_req, res) => json(res, 429, { message: 'tomorrow' }, { 'retry-after': '3600' }))
    const error = await client(long.url)
      .getTask('a')
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(RateLimitError)
    expect((error as RateLimitError).retryAfterMs).toBe(3_600_000)
    expect(long.hits).toHaveLength(1)
  })
})

describe('fault matrix: create is never blindly retried', () => {
  const unknown: Fault[] = ['500', '502', '503', '408', 'reset', 'hang', 'malformed', 'html', 'slow-body']
  for (const f of unknown) {
    it(`POST /api/v1/task after ${f}: TaskCreationUnknownError, sent once`, async () => {
      const s = await scripted([f])
      const error = await client(s.url, { timeoutMs: 500 })
        .createUntypedTask({ model: 'm', task_type: 't', input: {} })
        .catch((e: unknown) => e)
      expect(error).toBeInstanceOf(TaskCreationUnknownError)
      expect((error as TaskCreationUnknownError).message).toMatch(/may have been created/)
      expect(s.hits).toHaveLength(1)
    })
  }

  it('retries a create on 429', async () => {
    const s = await scripted(['429', '429'])
    const created = await client(s.url).createUntypedTask({ model: 'm', task_type: 't', input: {} })
    expect(created.task_id).toBe('t3')
    expect(s.hits).toHaveLength(3)
  })

  it('retries a create that provably never left (connection refused), on the next host', async () => {
    const dead = await refusedUrl()
    const s = await scripted([])
    const c = client([dead, s.url])
    const created = await c.createUntypedTask({ model: 'm', task_type: 't', input: {} })
    expect(created.task_id).toBe('t1')
    expect(s.hits).toHaveLength(1)
  })

  it('reports a refused create with no other host as APIConnectionError that did not reach the server', async () => {
    const dead = await refusedUrl()
    const error = await client(dead, { maxRetries: 1 })
      .createUntypedTask({ model: 'm', task_type: 't', input: {} })
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

  it('no double-billing: 1,000 creates with faults after the server recorded the task', async () => {
    const recorded = new Map<string, number>()
    const throttled = new Set<string>()
    const answeredOk = new Set<string>()
    const s = await server((_req, res, hit) => {
      const prompt = (JSON.parse(hit.body) as { input: { prompt: string } }).input.prompt
      const i = Number(prompt)
      if (i % 7 === 0 && !throttled.has(prompt)) {
        throttled.add(prompt)
        return fault(res, '429') // rejected before recording: safe to retry
      }
      recorded.set(prompt, (recorded.get(prompt) ?? 0) + 1)
      const kinds: Array<Fault | 'ok'> = ['ok', 'ok', 'reset', '500', '503', 'malformed', 'html', '408']
      const kind = kinds[i % kinds.length] ?? 'ok'
      if (kind !== 'ok') return fault(res, kind)
      answeredOk.add(prompt)
      json(res, 200, { code: 200, data: task(`task-${prompt}`, 'pending') })
    })
    const c = client(s.url, { timeoutMs: 30_000 })
    const created: string[] = []
    const unknown: string[] = []
    for (let batch = 0; batch < 10; batch++) {
      const prompts = Array.from({ length: 100 }, (_, j) => String(batch * 100 + j))
      const results = await Promise.allSettled(
        prompts.map((prompt) => c.createUntypedTask({ model: 'm', task_type: 't', input: { prompt } })),
      )
      results.forEach((r, j) => {
        const prompt = prompts[j] ?? ''
        if (r.status === 'fulfilled') created.push(prompt)
        else if (r.reason instanceof TaskCreationUnknownError) unknown.push(prompt)
        else throw new Error(`unexpected: ${String(r.reason)}`, { cause: r.reason })
      })
    }
    // 0 duplicates: no create was ever sent twice after the server recorded it.
    expect([...recorded.values()].every((count) => count === 1)).toBe(true)
    // The server's task count equals what the client reports as created or possibly created.
    expect(recorded.size).toBe(created.length + unknown.length)
    expect(new Set([...created, ...unknown])).toEqual(new Set(recorded.keys()))
    // Every task the client reports created got a success answer; the 429s were retried.
    expect(created.every((p) => answeredOk.has(p))).toBe(true)
    expect(created.length).toBe(answeredOk.size)
    expect(throttled.size).toBe(143)
  }, 120_000)
})

describe('failover', () => {
  it('reads fail over to the next host on connection errors and stay there', async () => {
    const dead = await refusedUrl()
    const s = await scripted([])
    const c = client([dead, s.url])
    await c.getTask('a')
    await c.getTask('b')
    expect(s.hits.map((h) => h.url)).toEqual(['/api/v1/task/a', '/api/v1/task/b'])
  })

  it('reads fail over on 5xx; a create does not', async () => {
    const broken = await server((_req, res) => json(res, 503, { message: 'down' }))
    const s = await scripted([])
    await expect(client([broken.url, s.url]).getTask('a')).resolves.toMatchObject({ task_id: 'a' })
    expect(broken.hits).toHaveLength(1)
    await expect(
      client([broken.url, s.url]).createUntypedTask({ model: 'm', task_type: 't', input: {} }),
    ).rejects.toBeInstanceOf(TaskCreationUnknownError)
    expect(s.hits).toHaveLength(1)
  })

  it('defaults to the two documented domains', () => {
    expect(createClient({ apiKey: KEY }).baseUrls).toEqual(['https://api.goapi.ai', 'https://api.goapi.xyz'])
    expect(createClient({ apiKey: KEY }).baseUrl).toBe('https://api.goapi.ai')
  })
})

describe('the API key never leaks', () => {
  const echoes: Array<[string, Parameters<typeof startFaultServer>[0]]> = [
    ['JSON error body', (_req, res, hit) => json(res, 401, { code: 401, message: `invalid key ${hit.key}` })],
    [
      'HTML error page',
      (_req, res, hit) => {
        res.writeHead(500, { 'content-type': 'text/html' })
        res.end(`<h1>boom for ${hit.key} / ${encodeURIComponent(hit.key ?? '')}</h1>`)
      },
    ],
    ['429 body', (_req, res, hit) => json(res, 429, { message: `too many for ${hit.key}` }, { 'retry-after': '0' })],
    ['success without data', (_req, res, hit) => json(res, 200, { code: 200, message: `no data for ${hit.key}` })],
  ]
  for (const [what, handler] of echoes) {
    it(`in errors and logs when the server echoes it (${what})`, async () => {
      const s = await server(handler)
      const lines: string[] = []
      const sink = (m: string, meta?: Record<string, unknown>) => lines.push(m + JSON.stringify(meta ?? {}))
      const c = client(s.url, {
        logger: { debug: sink, info: sink, warn: sink, error: sink },
        logLevel: 'debug',
        maxRetries: 1,
      })
      for (const attempt of [
        () => c.getTask('a'),
        () => c.createUntypedTask({ model: 'm', task_type: 't', input: {} }),
      ]) {
        const error = await attempt().catch((e: unknown) => e)
        expect(error).toBeInstanceOf(Error)
        const e = error as Error
        for (const text of [e.message, e.stack ?? '', JSON.stringify(e), inspect(e, { depth: 10 }), String(e)])
          expect(text).not.toContain(KEY)
      }
      expect(lines.length).toBeGreaterThan(0)
      for (const line of lines) expect(line).not.toContain(KEY)
      expect(s.hits.every((h) => h.key === KEY)).toBe(true)
    })
  }

  it('in connection and timeout errors', async () => {
    const dead = await refusedUrl()
    const hang = await scripted(['hang', 'hang', 'hang'])
    for (const url of [dead, hang.url]) {
      const error = (await client(url, { maxRetries: 0, timeoutMs: 50 })
        .getTask('a')
        .catch((e: unknown) => e)) as Error
      for (const text of [error.message, error.stack ?? '', JSON.stringify(error), inspect(error, { depth: 10 })])
        expect(text).not.toContain(KEY)
    }
  })
})

describe('logger and polling requests', () => {
  it('logs at the chosen level only', async () => {
    const s = await scripted(['503'])
    const seen: string[] = []
    const logger: Logger = {
      debug: () => seen.push('debug'),
      info: () => seen.push('info'),
      warn: () => seen.push('warn'),
      error: () => seen.push('error'),
    }
    await client(s.url, { logger, logLevel: 'error' }).getTask('a')
    expect(seen).toEqual([])
    const s2 = await scripted(['503'])
    await client(s2.url, { logger }).getTask('a')
    expect(seen).toEqual(['warn'])
  })

  it("polls with cache: 'no-store' through a custom fetch", async () => {
    const s = await server((_req, res, hit, n) =>
      json(res, 200, { code: 200, data: task(hit.url.split('/').pop() ?? '', n < 3 ? 'processing' : 'completed') }),
    )
    const modes: string[] = []
    const recording: typeof fetch = (input, init) => {
      if (input instanceof Request) modes.push(input.cache)
      return fetch(input, init)
    }
    const c = client(s.url, { fetch: recording })
    await c.wait('a', { poll: { initialDelayMs: 1, maxDelayMs: 2 } })
    expect(modes).toEqual(['no-store', 'no-store', 'no-store'])
  })

  it('wait() tolerates transient poll failures and ends at its deadline when polls hang', async () => {
    const flaky = await server((_req, res, hit, n) =>
      n % 2
        ? fault(res, 'reset')
        : json(res, 200, { code: 200, data: task(hit.url.split('/').pop() ?? '', n < 6 ? 'processing' : 'Completed') }),
    )
    await expect(client(flaky.url).wait('a', { poll: { initialDelayMs: 1, maxDelayMs: 2 } })).resolves.toMatchObject({
      status: 'Completed',
    })
    const hang = await server(() => undefined)
    const error = await client(hang.url, { timeoutMs: 60_000 })
      .wait('a', { timeoutMs: 150, poll: { initialDelayMs: 1, maxDelayMs: 2 } })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TimeoutError)
    expect((error as TimeoutError).message).toMatch(/keeps running/)
  })
})

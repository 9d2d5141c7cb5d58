// Finding 9: Retry-After. Honoured on 429 and 503 for reads and in wait(); negative, non-numeric
// and absurd values are ignored (backoff instead). Asserted on the number of requests the server
// saw and on the delays the client logged (what it decided), never on wall time.
import { afterEach, describe, expect, it } from 'vitest'
import { AbortError, RateLimitError, TimeoutError, createClient, type Logger } from '../../src/index.js'
import { hostile, json, task, type Hostile } from './servers.js'

const KEY = 'sk-retry-after'
const open: Hostile[] = []
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()))
})

/** Answers `status` with `Retry-After: value` `times` times, then the completed task. */
async function throttled(status: number, value: string, times = Infinity): Promise<Hostile> {
  const s = await hostile((_req, res, _hit, n) =>
    n <= times
      ? json(res, status, { code: status, message: 'slow down' }, { 'retry-after': value })
      : json(res, 200, { code: 200, data: task('a') }),
  )
  open.push(s)
  return s
}

function lines() {
  const out: string[] = []
  const push = (m: string) => void out.push(m)
  const logger: Logger = { debug: push, info: push, warn: push, error: push }
  return { out, logger }
}
const delays = (out: string[]) => out.flatMap((l) => /in (\d+) ms/.exec(l)?.[1] ?? []).map(Number)

describe('wait() honours Retry-After', () => {
  for (const status of [429, 503]) {
    it(`on ${status}: each poll waits for the server's Retry-After`, async () => {
      const server = await throttled(status, '1', 2)
      const log = lines()
      const done = await createClient({ apiKey: KEY, baseUrl: server.url, logger: log.logger }).wait('a', {
        timeoutMs: 30_000,
        poll: { initialDelayMs: 1, maxDelayMs: 5 },
      })
      expect(done.status).toBe('completed')
      expect(server.hits).toHaveLength(3)
      // The next poll is scheduled after the server's 1 s, not at the 1-5 ms polling pace.
      expect(log.out.filter((l) => l.includes('trying again in 1000 ms (Retry-After)'))).toHaveLength(2)
    })
  }

  it('waits a long Retry-After (1 hour) that fits in the deadline', async () => {
    const server = await throttled(429, '3600')
    const log = lines()
    const controller = new AbortController()
    const logger: Logger = {
      ...log.logger,
      warn: (m: string) => {
        log.out.push(m)
        controller.abort() // the decision is logged: stop here instead of waiting an hour
      },
    }
    const error = await createClient({ apiKey: KEY, baseUrl: server.url, logger })
      .wait('a', { timeoutMs: 2 * 3_600_000, signal: controller.signal, poll: { initialDelayMs: 1 } })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(AbortError)
    expect(log.out.some((l) => l.includes('in 3600000 ms (Retry-After)'))).toBe(true)
    expect(server.hits).toHaveLength(1)
  })

  it('ignores a Retry-After beyond its deadline and polls at its own pace', async () => {
    const server = await throttled(429, '60', 3)
    const log = lines()
    const done = await createClient({ apiKey: KEY, baseUrl: server.url, logger: log.logger }).wait('a', {
      timeoutMs: 30_000,
      poll: { initialDelayMs: 1, maxDelayMs: 5 },
    })
    expect(done.status).toBe('completed')
    expect(server.hits).toHaveLength(4)
    expect(log.out.filter((l) => l.includes('at the polling pace'))).toHaveLength(3)
  })

  for (const value of ['-5', 'soon', '99999999', '1e3']) {
    it(`ignores Retry-After: ${value} (polling pace)`, async () => {
      const server = await throttled(429, value, 3)
      const log = lines()
      await createClient({ apiKey: KEY, baseUrl: server.url, logger: log.logger }).wait('a', {
        timeoutMs: 30_000,
        poll: { initialDelayMs: 1, maxDelayMs: 5 },
      })
      expect(server.hits).toHaveLength(4)
      expect(log.out.filter((l) => l.includes('(Retry-After)'))).toHaveLength(0)
    })
  }
})

describe('single calls honour a sane Retry-After and ignore the rest', () => {
  const retry = { initialDelayMs: 200, maxDelayMs: 400 }

  it('a 503 Retry-After is waited for on a read', async () => {
    const server = await throttled(503, '1', 1)
    const log = lines()
    await createClient({ apiKey: KEY, baseUrl: server.url, logger: log.logger, retry }).getTask('a')
    expect(delays(log.out)).toEqual([1000])
    expect(server.hits).toHaveLength(2)
  })

  for (const value of ['-5', '0', 'soon']) {
    it(`Retry-After: ${value} does not make an instant retry (backoff instead)`, async () => {
      const server = await throttled(429, value, 1)
      const log = lines()
      await createClient({ apiKey: KEY, baseUrl: server.url, logger: log.logger, retry }).getTask('a')
      const [delay] = delays(log.out)
      expect(delay).toBeGreaterThanOrEqual(100) // half of initialDelayMs at least: the backoff
      expect(delay).toBeLessThanOrEqual(200)
    })
  }

  it('an absurd Retry-After (more than an hour) is ignored: backoff, then success', async () => {
    const server = await throttled(429, '99999999', 1)
    const log = lines()
    const got = await createClient({ apiKey: KEY, baseUrl: server.url, logger: log.logger, retry }).getTask('a')
    expect(got.task_id).toBe('a')
    expect(server.hits).toHaveLength(2)
    expect(delays(log.out)[0]).toBeLessThanOrEqual(200)
  })

  it('a sane Retry-After longer than maxRetryAfterMs still throws at once (unchanged)', async () => {
    const server = await throttled(429, '120')
    const error = await createClient({ apiKey: KEY, baseUrl: server.url, retry })
      .getTask('a')
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(RateLimitError)
    expect((error as RateLimitError).retryAfterMs).toBe(120_000)
    expect(server.hits).toHaveLength(1)
  })
})

import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startMock, FAIL_MARKER, type MockServer } from '../src/index.js'
import { call, FLUX, type TaskBody } from './helpers.js'

interface Received {
  path: string
  secret: string | undefined
  body: { timestamp: number; data: { task_id: string; status: string } }
}

const KEY = 'hook-key'
let receiver: Server
let hookUrl = ''
const received: Received[] = []
/** Answer status per path, consumed in order; 200 when the list is empty. */
const script = new Map<string, number[]>()

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const secret = req.headers['x-webhook-secret']
      received.push({
        path: req.url ?? '',
        secret: Array.isArray(secret) ? secret[0] : secret,
        body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Received['body'],
      })
      res.writeHead(script.get(req.url ?? '')?.shift() ?? 200).end()
    })
  })
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve))
  hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`
})
afterAll(() => new Promise<void>((resolve) => receiver.close(() => resolve())))

async function withMock(options: Parameters<typeof startMock>[0], fn: (mock: MockServer) => Promise<void>) {
  const mock = await startMock({ webhook: { retryDelayMs: 5 }, ...options })
  try {
    await fn(mock)
  } finally {
    await mock.close()
  }
}

const withHook = (path: string, secret = 's3cret', input: Record<string, unknown> = FLUX.input) => ({
  ...FLUX,
  input,
  config: { webhook_config: { endpoint: `${hookUrl}${path}`, secret } },
})

describe('task webhooks', () => {
  it('posts {timestamp, data} with the secret at each status change', async () => {
    await withMock({ latency: { pendingMs: 20, processingMs: 20 } }, async (mock) => {
      const created = await call<TaskBody>(mock, 'POST', '/api/v1/task', KEY, withHook('/lifecycle'))
      await mock.webhooks.idle()
      const mine = received.filter((r) => r.path === '/lifecycle')
      expect(mine.map((r) => r.body.data.status)).toEqual(['pending', 'processing', 'completed'])
      for (const r of mine) {
        expect(r.secret).toBe('s3cret')
        expect(r.body.data.task_id).toBe(created.body.data.task_id)
        expect(mock.spec.check('WebhookDelivery', r.body)).toEqual([])
      }
      const done = mine.at(-1)?.body.data as unknown as { output: { image_url: string } }
      expect((await fetch(done.output.image_url)).headers.get('content-type')).toBe('image/png')
    })
  })

  it('retries a non-2xx answer, 3 attempts in all', async () => {
    script.set('/flaky', [500, 503])
    script.set('/down', [500, 500, 500, 500])
    await withMock({}, async (mock) => {
      await call(mock, 'POST', '/api/v1/task', KEY, withHook('/flaky'))
      await call(mock, 'POST', '/api/v1/task', KEY, withHook('/down', '', { prompt: `x ${FAIL_MARKER}` }))
      await mock.webhooks.idle()
      expect(received.filter((r) => r.path === '/flaky').map((r) => r.body.data.status)).toEqual([
        'completed',
        'completed',
        'completed',
      ])
      const down = received.filter((r) => r.path === '/down')
      expect(down).toHaveLength(3)
      expect(down.every((r) => r.body.data.status === 'failed' && r.secret === '')).toBe(true)
      expect(script.get('/down')).toEqual([500])
      const byTask = (ok: boolean) => mock.webhooks.attempts.filter((a) => a.ok === ok).map((a) => a.responseStatus)
      expect(byTask(true)).toEqual([200])
      expect(byTask(false).sort()).toEqual([500, 500, 500, 500, 503])
    })
  })

  it('records a refused connection as a failed attempt', async () => {
    await withMock({ webhook: { retryDelayMs: 1, attempts: 2 } }, async (mock) => {
      await call(mock, 'POST', '/api/v1/task', KEY, {
        ...FLUX,
        config: { webhook_config: { endpoint: 'http://127.0.0.1:1/hook', secret: '' } },
      })
      await mock.webhooks.idle()
      expect(mock.webhooks.attempts.map((a) => [a.attempt, a.ok, typeof a.error])).toEqual([
        [1, false, 'string'],
        [2, false, 'string'],
      ])
    })
  })

  it('sends failed when a pending task is canceled, and nothing after', async () => {
    await withMock({ latency: { pendingMs: 60_000, processingMs: 60_000 } }, async (mock) => {
      const created = await call<TaskBody>(mock, 'POST', '/api/v1/task', KEY, withHook('/cancel'))
      expect((await call(mock, 'DELETE', `/api/v1/task/${created.body.data.task_id}`, KEY)).status).toBe(200)
      await mock.webhooks.idle()
      expect(received.filter((r) => r.path === '/cancel').map((r) => r.body.data.status)).toEqual(['pending', 'failed'])
    })
  })

  it('sends nothing for tasks without an endpoint', async () => {
    await withMock({}, async (mock) => {
      await call(mock, 'POST', '/api/v1/task', KEY, FLUX)
      await mock.webhooks.idle()
      expect(mock.webhooks.attempts).toEqual([])
    })
  })

  it('clears its timers on close', async () => {
    const mock = await startMock({ latency: { pendingMs: 600_000, processingMs: 600_000 } })
    await call(mock, 'POST', '/api/v1/task', KEY, withHook('/never'))
    expect(mock.webhooks.pending).toBeGreaterThanOrEqual(2)
    const idle = mock.webhooks.idle()
    await mock.close()
    await idle
    expect(mock.webhooks.pending).toBe(0)
    expect(received.filter((r) => r.path === '/never' && r.body.data.status !== 'pending')).toEqual([])
  })
})

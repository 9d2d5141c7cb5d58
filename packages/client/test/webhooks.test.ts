import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { describe, expect, it } from 'vitest'
import {
  MemoryDedupeStore,
  WebhookVerificationError,
  timingSafeEqualStrings,
  verifyWebhook,
  verifyWebhookPayload,
  type WebhookEvent,
} from '../src/index.js'
import { task } from './fault-server.js'

const SECRET = 'whsec-correct-horse'
const now = () => Date.now()

function delivery(overrides: { timestamp?: number; status?: string; taskId?: string } = {}): string {
  const data = { ...task(overrides.taskId ?? 'task-1'), status: overrides.status ?? 'completed' }
  return JSON.stringify({ timestamp: overrides.timestamp ?? Math.floor(Date.now() / 1000), data })
}

function request(body: string, secret: string | undefined): Request {
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (secret !== undefined) headers['x-webhook-secret'] = secret
  return new Request('http://127.0.0.1/hook', { method: 'POST', headers, body })
}

async function rejection(p: Promise<unknown>): Promise<WebhookVerificationError> {
  const error = await p.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(WebhookVerificationError)
  return error as WebhookVerificationError
}

describe('verifyWebhook (Web Request)', () => {
  it('accepts the right secret and narrows the payload', async () => {
    const event: WebhookEvent = await verifyWebhook(request(delivery(), SECRET), {
      secret: SECRET,
      dedupe: new MemoryDedupeStore(),
    })
    expect(event.data.task_id).toBe('task-1')
    expect(event.data.model).toBe('Qubico/flux1-schnell')
    expect(typeof event.timestamp).toBe('number')
  })

  it('rejects a wrong or missing secret with 401', async () => {
    const wrong = await rejection(verifyWebhook(request(delivery(), 'whsec-wrong'), { secret: SECRET, dedupe: false }))
    expect([wrong.reason, wrong.status]).toEqual(['wrong-secret', 401])
    const missing = await rejection(verifyWebhook(request(delivery(), undefined), { secret: SECRET, dedupe: false }))
    expect([missing.reason, missing.status]).toEqual(['missing-secret', 401])
    const prefix = await rejection(
      verifyWebhook(request(delivery(), SECRET.slice(0, -1)), { secret: SECRET, dedupe: false }),
    )
    expect(prefix.reason).toBe('wrong-secret')
  })

  it('rejects a replayed delivery, but not the next status of the same task', async () => {
    const store = new MemoryDedupeStore()
    const body = delivery()
    await verifyWebhook(request(body, SECRET), { secret: SECRET, dedupe: store })
    const replay = await rejection(verifyWebhook(request(body, SECRET), { secret: SECRET, dedupe: store }))
    expect([replay.reason, replay.status, replay.taskId]).toEqual(['replayed', 409, 'task-1'])
    await expect(
      verifyWebhook(request(delivery({ status: 'failed' }), SECRET), { secret: SECRET, dedupe: store }),
    ).resolves.toBeDefined()
  })

  it('rejects an oversized body, declared or streamed', async () => {
    const big = delivery({ taskId: 'x'.repeat(5000) })
    const declared = await rejection(
      verifyWebhook(request(big, SECRET), { secret: SECRET, maxBodyBytes: 1024, dedupe: false }),
    )
    expect([declared.reason, declared.status]).toEqual(['too-large', 413])
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 10; i++) controller.enqueue(new TextEncoder().encode('x'.repeat(500)))
        controller.close()
      },
    })
    const chunked = new Request('http://127.0.0.1/hook', {
      method: 'POST',
      headers: { 'x-webhook-secret': SECRET },
      body: stream,
      duplex: 'half',
    } as RequestInit)
    expect(
      (await rejection(verifyWebhook(chunked, { secret: SECRET, maxBodyBytes: 1024, dedupe: false }))).reason,
    ).toBe('too-large')
  })

  it('rejects stale and future timestamps', async () => {
    const old = Math.floor(now() / 1000) - 3600
    expect(
      (await rejection(verifyWebhook(request(delivery({ timestamp: old }), SECRET), { secret: SECRET, dedupe: false })))
        .reason,
    ).toBe('stale')
    const future = Math.floor(now() / 1000) + 3600
    expect(
      (
        await rejection(
          verifyWebhook(request(delivery({ timestamp: future }), SECRET), { secret: SECRET, dedupe: false }),
        )
      ).reason,
    ).toBe('stale')
    await expect(
      verifyWebhook(request(delivery({ timestamp: old }), SECRET), {
        secret: SECRET,
        dedupe: false,
        toleranceSeconds: 7200,
      }),
    ).resolves.toBeDefined()
  })

  it('rejects bodies that are not a task delivery', async () => {
    for (const body of [
      'not json',
      '[]',
      '{"timestamp":"1","data":{}}',
      JSON.stringify({ timestamp: 1, data: { task_id: 'a' } }),
    ]) {
      expect(
        (
          await rejection(
            verifyWebhook(request(body, SECRET), { secret: SECRET, dedupe: false, toleranceSeconds: Infinity }),
          )
        ).reason,
      ).toBe('invalid-body')
    }
  })
})

describe('verifyWebhookPayload (Node headers + raw body) over real HTTP', () => {
  it('verifies deliveries to a node:http server', async () => {
    const store = new MemoryDedupeStore()
    const results: string[] = []
    const server = createServer((req: IncomingMessage, res) => {
      const chunks: Buffer[] = []
      req.on('data', (c: Buffer) => chunks.push(c))
      req.on('end', () => {
        verifyWebhookPayload(req.headers, Buffer.concat(chunks), { secret: SECRET, dedupe: store }).then(
          (event) => {
            results.push(`ok ${event.data.task_id}`)
            res.writeHead(200).end()
          },
          (error: WebhookVerificationError) => {
            results.push(error.reason)
            res.writeHead(error.status).end()
          },
        )
      })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`
    try {
      const body = delivery({ taskId: 'node-task' })
      const send = (secret: string) =>
        fetch(url, {
          method: 'POST',
          headers: { 'x-webhook-secret': secret, 'content-type': 'application/json' },
          body,
        }).then((r) => r.status)
      expect(await send(SECRET)).toBe(200)
      expect(await send(SECRET)).toBe(409)
      expect(await send('nope')).toBe(401)
      expect(results).toEqual(['ok node-task', 'replayed', 'wrong-secret'])
    } finally {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  })
})

describe('helpers', () => {
  it('compares secrets of any length', async () => {
    expect(await timingSafeEqualStrings('abc', 'abc')).toBe(true)
    expect(await timingSafeEqualStrings('abc', 'abd')).toBe(false)
    expect(await timingSafeEqualStrings('abc', 'abcd')).toBe(false)
    expect(await timingSafeEqualStrings('', 'a')).toBe(false)
  })

  it('bounds the in-memory dedupe store and expires entries', () => {
    let clock = 0
    const store = new MemoryDedupeStore(3, () => clock)
    for (const k of ['a', 'b', 'c', 'd']) expect(store.seen(k, 1000)).toBe(false)
    expect(store.size).toBe(3)
    expect(store.seen('d', 1000)).toBe(true)
    expect(store.seen('a', 1000)).toBe(false) // evicted as the oldest
    clock = 5000
    expect(store.seen('d', 1000)).toBe(false) // expired
  })
})

// Webhook-fed events: the simulator delivers GoAPI webhooks to the proxy's route, which verifies
// them and feeds the task's events stream; the watch reads the task once and then waits.
import { afterAll, beforeAll, expect, it } from 'vitest'
import { FLUX, post, readEvents, startStack, type Stack } from './helpers.js'

const SECRET = 'webhook-secret-1234'
let stack: Stack

beforeAll(async () => {
  stack = await startStack(
    (url) => ({ webhook: { url: `${url}/api/goapi/webhook`, secret: SECRET, pollMs: 600_000 } }),
    { latency: { pendingMs: 400, processingMs: 800 }, webhook: { retryDelayMs: 50 } },
  )
})
afterAll(() => stack.close())

it('tasks get the webhook config; the events stream is fed by verified deliveries, not polls', async () => {
  const answer = await post(`${stack.base}/api/v1/task`, FLUX)
  const text = await answer.text()
  expect(text).not.toContain(SECRET)
  const id = (JSON.parse(text) as { data: { task_id: string } }).data.task_id
  expect(stack.mock.state.get(id)?.config.webhook_config).toEqual({
    endpoint: `${stack.server.url}/api/goapi/webhook`,
    secret: SECRET,
  })
  const stream = await fetch(`${stack.base}/api/v1/task/${id}/events`)
  const raw = await stream.clone().text()
  expect(raw).not.toContain(SECRET)
  const events = await readEvents(stream)
  const statuses = events.filter((e) => e.event === 'task').map((e) => (e.data as { status: string }).status)
  expect(statuses.at(-1)).toBe('completed')
  // One read when the stream opened; with a 10 minute safety poll, the rest came by webhook.
  const reads = stack.upstream.seen.filter((s) => s.method === 'GET' && s.url === `/api/v1/task/${id}`)
  expect(reads).toHaveLength(1)
  await stack.mock.webhooks.idle()
  expect(
    stack.mock.webhooks.attempts.filter((a) => a.taskId === id).map((a) => `${a.status} ${a.responseStatus}`),
  ).toContain('completed 204')
  const direct = await fetch(`${stack.base}/api/v1/task/${id}`)
  expect(await direct.text()).not.toContain(SECRET)
})

it('deliveries without the right secret are refused', async () => {
  const body = JSON.stringify({
    timestamp: Math.floor(Date.now() / 1000),
    data: { task_id: 'x', model: 'm', task_type: 't' },
  })
  const missing = await fetch(`${stack.base}/webhook`, { method: 'POST', body })
  expect(missing.status).toBe(401)
  const wrong = await fetch(`${stack.base}/webhook`, { method: 'POST', body, headers: { 'x-webhook-secret': 'nope' } })
  expect(wrong.status).toBe(401)
  expect(await wrong.text()).not.toContain(SECRET)
})

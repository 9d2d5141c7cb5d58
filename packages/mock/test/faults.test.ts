import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startMock, type MockServer } from '../src/index.js'
import { call, FLUX, type TaskBody } from './helpers.js'

const KEY = 'fault-key'
let mock: MockServer

beforeAll(async () => {
  mock = await startMock({ faults: [{ route: 'GET /account/info', status: 500, times: 1 }] })
})
afterAll(() => mock.close())
afterEach(() => mock.faults.clear())

async function create(): Promise<string> {
  const res = await call<TaskBody>(mock, 'POST', '/api/v1/task', KEY, FLUX)
  expect(res.status).toBe(200)
  return res.body.data.task_id
}

describe('faults on demand', () => {
  it('applies faults given at start, then lets requests through', async () => {
    expect((await call(mock, 'GET', '/account/info', KEY)).status).toBe(500)
    expect((await call(mock, 'GET', '/account/info', KEY)).status).toBe(200)
  })

  it('answers a status with Retry-After for the given number of requests, then recovers', async () => {
    const id = await create()
    mock.faults.add({ route: 'GET /api/v1/task/:id', status: 429, retryAfter: 2, times: 2, message: 'slow down' })
    for (let i = 0; i < 2; i++) {
      const res = await call(mock, 'GET', `/api/v1/task/${id}`, KEY)
      expect(res.status).toBe(429)
      expect(res.headers.get('retry-after')).toBe('2')
      expect(res.body).toEqual({ code: 429, message: 'slow down' })
    }
    expect((await call(mock, 'GET', `/api/v1/task/${id}`, KEY)).status).toBe(200)
    expect(mock.faults.list()).toEqual([])
  })

  it('defaults to 429 when only retryAfter is given', async () => {
    mock.faults.add({ route: 'POST /api/v1/task', retryAfter: 1, times: 1 })
    const before = mock.state.created
    const res = await call(mock, 'POST', '/api/v1/task', KEY, FLUX)
    expect(res.status).toBe(429)
    expect(mock.state.created).toBe(before)
  })

  it('delays an answer without changing it', async () => {
    const id = await create()
    mock.faults.add({ route: 'GET /api/v1/task/:id', delayMs: 400, times: 1 })
    const order: string[] = []
    const slow = call<TaskBody>(mock, 'GET', `/api/v1/task/${id}`, KEY).then((r) => (order.push('delayed'), r))
    const fast = call(mock, 'GET', '/account/info', KEY).then((r) => (order.push('direct'), r))
    const [delayed] = await Promise.all([slow, fast])
    expect(delayed.status).toBe(200)
    expect(delayed.body.data.status).toBe('completed')
    expect(order).toEqual(['direct', 'delayed'])
  })

  it('sends a slow body: head and half the body at once, the rest later', async () => {
    const id = await create()
    mock.faults.add({ route: 'GET /api/v1/task/:id', slowBodyMs: 400, times: 1 })
    const res = await fetch(`${mock.url}/api/v1/task/${id}`, { headers: { 'x-api-key': KEY } })
    expect(res.status).toBe(200)
    const order: string[] = []
    const body = res.text().then((text) => (order.push('slow body'), text))
    await call(mock, 'GET', '/account/info', KEY).then(() => order.push('direct'))
    const text = await body
    expect(order).toEqual(['direct', 'slow body'])
    expect((JSON.parse(text) as TaskBody).data.task_id).toBe(id)
  })

  it('records a create before its slow body, and a client that gives up mid-body is fine', async () => {
    mock.faults.add({ route: 'POST /api/v1/task', slowBodyMs: 60_000, times: 1 })
    const before = mock.state.created
    const controller = new AbortController()
    const res = await fetch(`${mock.url}/api/v1/task`, {
      method: 'POST',
      headers: { 'x-api-key': KEY, 'content-type': 'application/json' },
      body: JSON.stringify(FLUX),
      signal: controller.signal,
    })
    expect(res.status).toBe(200)
    expect(mock.state.created).toBe(before + 1)
    controller.abort()
    await expect(res.text()).rejects.toThrow()
    expect((await call(mock, 'GET', '/account/info', KEY)).status).toBe(200)
  })

  it('resets the connection', async () => {
    const id = await create()
    mock.faults.add({ route: 'GET /api/v1/task/:id', reset: true, times: 1 })
    await expect(fetch(`${mock.url}/api/v1/task/${id}`, { headers: { 'x-api-key': KEY } })).rejects.toThrow()
    expect((await call(mock, 'GET', `/api/v1/task/${id}`, KEY)).status).toBe(200)
  })

  it('truncates the body mid-way', async () => {
    const id = await create()
    mock.faults.add({ route: 'GET /api/v1/task/:id', body: 'truncated', times: 1 })
    const res = await fetch(`${mock.url}/api/v1/task/${id}`, { headers: { 'x-api-key': KEY } })
    expect(res.status).toBe(200)
    await expect(res.text()).rejects.toThrow()
  })

  it('answers an HTML error page', async () => {
    mock.faults.add({ route: 'POST /api/v1/task', body: 'html', times: 1 })
    const res = await fetch(`${mock.url}/api/v1/task`, {
      method: 'POST',
      headers: { 'x-api-key': KEY },
      body: JSON.stringify(FLUX),
    })
    expect(res.status).toBe(502)
    expect(res.headers.get('content-type')).toMatch(/text\/html/)
    expect(await res.text()).toMatch(/^<html>[\s\S]*502 Bad Gateway/)
  })

  it('answers a non-JSON body, with a chosen status', async () => {
    mock.faults.add({
      route: 'GET /account/active_tasks',
      body: 'non-json',
      status: 200,
      message: 'upstream hiccup',
      times: 1,
    })
    const res = await fetch(`${mock.url}/account/active_tasks`, { headers: { 'x-api-key': KEY } })
    expect(res.status).toBe(200)
    const text = await res.text()
    expect(text).toBe('upstream hiccup')
    expect(() => JSON.parse(text) as unknown).toThrow()
  })

  it('records the task and then fails the answer (afterRecord)', async () => {
    mock.faults.add({ route: 'POST /api/v1/task', status: 500, afterRecord: true, times: 1 })
    const before = mock.state.created
    const res = await call(mock, 'POST', '/api/v1/task', KEY, { ...FLUX, input: { prompt: 'recorded' } })
    expect(res.status).toBe(500)
    expect(mock.state.created).toBe(before + 1)
    const recorded = [...mock.state.tasks.values()].at(-1)
    expect(recorded?.input).toEqual({ prompt: 'recorded' })
    expect((await call<TaskBody>(mock, 'GET', `/api/v1/task/${recorded?.id}`, KEY)).body.data.status).toBe('completed')
  })

  it('makes the created task fail with a given error', async () => {
    mock.faults.add({
      route: 'POST /api/v1/task',
      taskError: { code: 10001, message: 'nsfw content', raw_message: 'flagged' },
      times: 1,
    })
    const created = await call<TaskBody>(mock, 'POST', '/api/v1/task', KEY, FLUX)
    expect(created.status).toBe(200)
    const task = (await call<TaskBody>(mock, 'GET', `/api/v1/task/${created.body.data.task_id}`, KEY)).body.data
    expect(task.status).toBe('failed')
    expect(task.error).toEqual({ code: 10001, message: 'nsfw content', raw_message: 'flagged', detail: null })
    expect(mock.spec.check('TaskData', task)).toEqual([])
  })

  it('matches every route with "*" and counts hits', async () => {
    const fault = mock.faults.add({ route: '*', status: 503 })
    expect((await call(mock, 'GET', '/account/info', KEY)).status).toBe(503)
    expect((await call(mock, 'GET', '/no/such/route', KEY)).status).toBe(503)
    expect(mock.faults.list()).toEqual([{ ...fault, hits: 2 }])
    expect(mock.faults.remove(fault.id)).toBe(true)
    expect((await call(mock, 'GET', '/account/info', KEY)).status).toBe(200)
  })

  it('rejects invalid rules', () => {
    expect(() => mock.faults.add({ route: 'fetch task', status: 99 })).toThrow(/route must be.*status must be/)
  })
})

describe('admin routes', () => {
  it('adds, lists and clears faults over HTTP', async () => {
    const added = await call<{ faults: Array<{ id: number; route: string }> }>(
      mock,
      'POST',
      '/__admin/faults',
      undefined,
      [
        { route: 'GET /account/info', status: 418, times: 1 },
        { route: 'GET /account/active_tasks', status: 500 },
      ],
    )
    expect(added.status).toBe(200)
    expect(added.body.faults.map((f) => f.route)).toEqual(['GET /account/info', 'GET /account/active_tasks'])
    expect((await call(mock, 'GET', '/account/info', KEY)).status).toBe(418)
    expect((await call<{ faults: unknown[] }>(mock, 'GET', '/__admin/faults', undefined)).body.faults).toHaveLength(1)
    expect((await call(mock, 'DELETE', '/__admin/faults', undefined)).status).toBe(200)
    expect((await call(mock, 'GET', '/account/active_tasks', KEY)).status).toBe(200)
  })

  it('rejects an invalid rule with the failing field', async () => {
    const res = await call<{ message: string }>(mock, 'POST', '/__admin/faults', undefined, {
      route: 'GET /x',
      body: 'xml',
    })
    expect(res.status).toBe(400)
    expect(res.body.message).toMatch(/body must be one of "truncated", "html", "non-json"/)
    expect(mock.faults.list()).toEqual([])
  })

  it('reports the state without API keys', async () => {
    await create()
    const res = await call<{
      tasks: number
      created: number
      byStatus: Record<string, number>
      accounts: Array<{ name: string }>
    }>(mock, 'GET', '/__admin/state', undefined)
    expect(res.status).toBe(200)
    expect(res.body.tasks).toBe(mock.state.tasks.size)
    expect(res.body.byStatus.completed).toBeGreaterThan(0)
    expect(JSON.stringify(res.body)).not.toContain(KEY)
  })

  it('can be turned off', async () => {
    const closed = await startMock({ admin: false })
    try {
      expect((await fetch(`${closed.url}/__admin/state`)).status).toBe(404)
    } finally {
      await closed.close()
    }
  })
})

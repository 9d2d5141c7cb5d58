import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startMock, type MockServer } from '../src/index.js'
import { call, exampleRequest, FLUX, type TaskBody } from './helpers.js'

describe('credits', () => {
  let mock: MockServer
  beforeAll(async () => {
    mock = await startMock({ keys: ['other'], accounts: { poor: { credits: 200_000 } } })
  })
  afterAll(() => mock.close())

  it('accepts the keys of accounts besides keys', async () => {
    expect((await call(mock, 'GET', '/account/info', 'poor')).status).toBe(200)
    expect((await call(mock, 'GET', '/account/info', 'other')).status).toBe(200)
    expect((await call(mock, 'GET', '/account/info', 'stranger')).status).toBe(401)
  })

  it('consumes credits and refuses a task the balance cannot pay', async () => {
    const first = await call<TaskBody>(mock, 'POST', '/api/v1/task', 'poor', FLUX)
    expect(first.status).toBe(200)
    expect(first.body.data.meta.usage).toEqual({ type: 'point', frozen: 150_000, consume: 150_000 })
    const info = await call<{
      data: { equivalent_in_usd: number; wallet: { point_remain: number; point_used: number; point_frozen: number } }
    }>(mock, 'GET', '/account/info', 'poor')
    expect(mock.spec.check('AccountInfoResponse', info.body)).toEqual([])
    expect(info.body.data.wallet).toMatchObject({ point_remain: 50_000, point_used: 150_000, point_frozen: 0 })
    expect(info.body.data.equivalent_in_usd).toBe(0.01)
    const second = await call<{ code: number; message: string }>(mock, 'POST', '/api/v1/task', 'poor', FLUX)
    expect(second.status).toBe(402)
    expect(second.body).toEqual({
      code: 402,
      message: 'insufficient credits: the task needs 150000 points, the account has 50000 left',
    })
    expect(mock.spec.check('ErrorResponse', second.body)).toEqual([])
  })

  it('releases the credits of failed tasks', async () => {
    const mock2 = await startMock({
      accounts: { k: { credits: 150_000 } },
      faults: [{ route: 'POST /api/v1/task', taskError: { message: 'boom' }, times: 1 }],
    })
    try {
      expect((await call(mock2, 'POST', '/api/v1/task', 'k', FLUX)).status).toBe(200)
      expect((await call(mock2, 'POST', '/api/v1/task', 'k', FLUX)).status).toBe(200)
      expect((await call(mock2, 'POST', '/api/v1/task', 'k', FLUX)).status).toBe(402)
    } finally {
      await mock2.close()
    }
  })
})

describe('concurrency', () => {
  let mock: MockServer
  beforeAll(async () => {
    mock = await startMock({
      latency: { pendingMs: 600_000, processingMs: 600_000 },
      accounts: { one: { concurrency: 1, credits: 100_000_000 } },
    })
  })
  afterAll(() => mock.close())

  it('refuses a task over the limit, stages Midjourney, and lists active tasks', async () => {
    const first = await call<TaskBody>(mock, 'POST', '/api/v1/task', 'one', FLUX)
    expect(first.body.data.status).toBe('pending')
    const over = await call<{ code: number; message: string }>(mock, 'POST', '/api/v1/task', 'one', FLUX)
    expect(over.status).toBe(429)
    expect(over.body.message).toMatch(/concurrent task limit reached: at most 1/)
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0)

    const mj = await call<TaskBody>(mock, 'POST', '/api/v1/task', 'one', exampleRequest(mock, 'midjourney', 'imagine'))
    expect(mj.status).toBe(200)
    expect(mj.body.data.status).toBe('staged')
    expect(mock.spec.check('TaskResponse', mj.body)).toEqual([])

    const active = await call<{
      data: Record<string, { pending_count: number; staged_count: number; active_tasks: Array<{ task_id: string }> }>
    }>(mock, 'GET', '/account/active_tasks', 'one')
    expect(mock.spec.check('AccountActiveTasksResponse', active.body)).toEqual([])
    expect(active.body.data.flux).toMatchObject({
      pending_count: 1,
      staged_count: 0,
      active_tasks: [{ task_id: first.body.data.task_id }],
    })
    expect(active.body.data.mj).toMatchObject({
      pending_count: 0,
      staged_count: 1,
      active_tasks: [{ task_id: mj.body.data.task_id }],
    })

    const info = await call<{ data: { max_concurrent_task_count: number; wallet: { point_frozen: number } } }>(
      mock,
      'GET',
      '/account/info',
      'one',
    )
    expect(info.body.data.max_concurrent_task_count).toBe(1)
    expect(info.body.data.wallet.point_frozen).toBe(300_000)

    // Canceling the staged task and then the pending one frees the slot.
    expect((await call(mock, 'DELETE', `/api/v1/task/${mj.body.data.task_id}`, 'one')).status).toBe(200)
    expect((await call(mock, 'DELETE', `/api/v1/task/${first.body.data.task_id}`, 'one')).status).toBe(200)
    expect((await call(mock, 'GET', '/account/active_tasks', 'one')).body.data).toEqual({})
    expect((await call<TaskBody>(mock, 'POST', '/api/v1/task', 'one', FLUX)).body.data.status).toBe('pending')
  })
})

describe('progress', () => {
  it('reports Midjourney progress while processing, nothing for families without it', async () => {
    const mock = await startMock({ latency: { pendingMs: 0, processingMs: 600_000 } })
    try {
      const mj = await call<TaskBody>(mock, 'POST', '/api/v1/task', 'k', exampleRequest(mock, 'midjourney', 'imagine'))
      expect(mj.body.data.status).toBe('processing')
      const output = mj.body.data.output as { progress: number; task_progress: number }
      expect(output.progress).toBeGreaterThanOrEqual(0)
      expect(output.progress).toBeLessThan(100)
      expect(output.task_progress).toBe(output.progress)
      expect(mock.spec.check('TaskData', mj.body.data)).toEqual([])
      const flux = await call<TaskBody>(mock, 'POST', '/api/v1/task', 'k', FLUX)
      expect(flux.body.data.status).toBe('processing')
      expect(flux.body.data.output).toBeNull()
    } finally {
      await mock.close()
    }
  })
})

describe('task history', () => {
  let mock: MockServer
  beforeAll(async () => {
    mock = await startMock()
    await call(mock, 'POST', '/api/v1/task', 'h', FLUX)
    await call(mock, 'POST', '/api/v1/task', 'h', { ...FLUX, input: { prompt: '[goapi-mock:fail]' } })
    await call(mock, 'POST', '/api/v1/task', 'h', exampleRequest(mock, 'midjourney', 'imagine'))
    await call(mock, 'POST', '/api/v1/task', 'someone-else', FLUX)
  })
  afterAll(() => mock.close())

  type History = {
    data: {
      data: Array<{ task_model: string; status: string; usage: number; action: string }>
      page: number
      size: number
      total: number
    }
  }

  it('pages through the key’s finished tasks, newest first', async () => {
    const all = await call<History>(mock, 'GET', '/api/open/tasks/histories', 'h')
    expect(mock.spec.check('AccountTaskHistoryResponse', all.body)).toEqual([])
    expect(all.body.data.total).toBe(3)
    expect(all.body.data.data.map((r) => [r.task_model, r.status])).toEqual([
      ['mj', 'finished'],
      ['flux', 'failed'],
      ['flux', 'finished'],
    ])
    const page2 = await call<History>(mock, 'GET', '/api/open/tasks/histories?page=2&page_size=2', 'h')
    expect(page2.body.data).toMatchObject({ page: 2, size: 2, total: 3 })
    expect(page2.body.data.data).toHaveLength(1)
  })

  it('filters by internal model name and time window', async () => {
    const mj = await call<History>(mock, 'GET', '/api/open/tasks/histories?model=mj', 'h')
    expect(mj.body.data.data.map((r) => r.action)).toEqual(['imagine'])
    const future = Math.ceil(Date.now() / 1000) + 3600
    expect(
      (await call<History>(mock, 'GET', `/api/open/tasks/histories?start_time=${future}`, 'h')).body.data.total,
    ).toBe(0)
    expect(
      (await call<History>(mock, 'GET', `/api/open/tasks/histories?end_time=${future}`, 'h')).body.data.total,
    ).toBe(3)
  })

  it('answers 400 for page_size above 100', async () => {
    const res = await call<{ message: string }>(mock, 'GET', '/api/open/tasks/histories?page_size=101', 'h')
    expect(res.status).toBe(400)
    expect(res.body.message).toMatch(/page_size must be <= 100/)
  })

  it('requires a key', async () => {
    expect((await call(mock, 'GET', '/api/open/tasks/histories', undefined)).status).toBe(401)
  })
})

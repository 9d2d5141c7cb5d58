// The simulator's memory stays bounded whatever clients send: accounts are evicted least
// recently used first past `maxAccounts`, task inputs are capped in total (`maxInputBytes`,
// oldest tasks evicted; a single larger create gets 413), and malformed paths answer 400.
import { afterEach, describe, expect, it } from 'vitest'
import { Accounts, startMock, type MockServer } from '../src/index.js'
import { call, FLUX, type TaskBody } from './helpers.js'

let mock: MockServer | undefined
afterEach(async () => {
  await mock?.close()
  mock = undefined
})

describe('accounts', () => {
  it('keeps at most maxAccounts accounts over 150,000 distinct keys', () => {
    const accounts = new Accounts({ pinned: { credits: 5 } }, 1_000)
    accounts.of('pinned')
    for (let i = 0; i < 150_000; i++) accounts.of(`key-${i}`)
    expect(accounts.size).toBe(1_001)
    // The configured account is never evicted; the most recent keys are kept, the oldest are gone.
    expect(accounts.peek('pinned')?.credits).toBe(5)
    expect(accounts.peek('key-149999')).toBeDefined()
    expect(accounts.peek('key-0')).toBeUndefined()
  })

  it('evicts the least recently used account, not the oldest created', () => {
    const accounts = new Accounts({}, 2)
    const a = accounts.of('a')
    accounts.of('b')
    accounts.of('a') // a used again: b is now the least recently used
    accounts.of('c')
    expect(accounts.peek('a')).toBe(a)
    expect(accounts.peek('b')).toBeUndefined()
    expect(accounts.peek('c')).toBeDefined()
  })

  it('bounds the accounts created over HTTP by distinct keys', async () => {
    mock = await startMock({ maxAccounts: 5 })
    for (let i = 0; i < 40; i++) expect((await call(mock, 'GET', '/account/info', `http-key-${i}`)).status).toBe(200)
    expect(mock.accounts.size).toBe(5)
    const state = await call<{ accounts: unknown[] }>(mock, 'GET', '/__admin/state', undefined)
    expect(state.body.accounts).toHaveLength(5)
  })
})

describe('stored task input', () => {
  const big = (n: number) => ({ ...FLUX, input: { prompt: `${n} ${'x'.repeat(30_000)}` } })

  it('evicts the oldest tasks once the total input passes maxInputBytes', async () => {
    mock = await startMock({ maxInputBytes: 100_000 })
    const ids: string[] = []
    for (let i = 0; i < 10; i++) {
      const res = await call<TaskBody>(mock, 'POST', '/api/v1/task', 'k', big(i))
      expect(res.status).toBe(200)
      ids.push(res.body.data.task_id)
    }
    expect(mock.state.inputBytes).toBeLessThanOrEqual(100_000)
    expect(mock.state.tasks.size).toBe(3)
    expect((await call(mock, 'GET', `/api/v1/task/${ids[0]}`, 'k')).status).toBe(404)
    expect((await call(mock, 'GET', `/api/v1/task/${ids[9]}`, 'k')).status).toBe(200)
  })

  it('answers 413 to one create larger than maxInputBytes, and keeps what it holds', async () => {
    mock = await startMock({ maxInputBytes: 20_000 })
    const small = await call<TaskBody>(mock, 'POST', '/api/v1/task', 'k', FLUX)
    const res = await call(mock, 'POST', '/api/v1/task', 'k', big(1))
    expect(res.status).toBe(413)
    expect(String(res.body.message)).toMatch(/at most 20000 bytes of task input/)
    expect((await call(mock, 'GET', `/api/v1/task/${small.body.data.task_id}`, 'k')).status).toBe(200)
  })
})

describe('malformed paths', () => {
  it.each(['/api/v1/task/%ff', '/api/v1/task/%E0%A4%A', '/api/suno/v1/music/%zz', '/files/%ff/0.png'])(
    '%s answers 400, not 500',
    async (path) => {
      mock = await startMock({})
      const res = await call(mock, 'GET', path, 'k')
      expect(res.status).toBe(400)
      expect(String(res.body.message)).toMatch(/malformed percent-encoding/)
      expect((await call(mock, 'GET', '/account/info', 'k')).status).toBe(200)
    },
  )
})

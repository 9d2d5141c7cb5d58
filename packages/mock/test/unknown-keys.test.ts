// Unknown keys are accepted, as GoAPI accepts them, and reported: the answer names them in
// `x-goapi-mock-unknown-keys` and the log gets a line. Known fields are still validated.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startMock, type MockServer } from '../src/index.js'
import { call, FLUX, type TaskBody } from './helpers.js'

const KEY = 'unknown-keys-test'
const HEADER = 'x-goapi-mock-unknown-keys'
let mock: MockServer
const lines: string[] = []

beforeAll(async () => {
  mock = await startMock({ log: (line) => lines.push(line) })
})
afterAll(() => mock.close())

describe('unknown keys', () => {
  it('accepts a create with unknown input keys and names them in a header and a log line', async () => {
    const res = await call<TaskBody>(mock, 'POST', '/api/v1/task', KEY, {
      ...FLUX,
      input: { ...FLUX.input, foo: 1, bar: { deep: true } },
    })
    expect(res.status).toBe(200)
    expect(res.headers.get(HEADER)).toBe('input.foo,input.bar')
    expect(lines.some((l) => l.includes('unknown keys accepted: input.foo,input.bar'))).toBe(true)
    expect(mock.spec.check('TaskResponse', res.body)).toEqual([])
  })

  it('sends no header when every key is known', async () => {
    const res = await call(mock, 'POST', '/api/v1/task', KEY, FLUX)
    expect(res.status).toBe(200)
    expect(res.headers.get(HEADER)).toBeNull()
  })

  it('still rejects wrong types and missing required fields of known keys', async () => {
    const wrong = await call(mock, 'POST', '/api/v1/task', KEY, { ...FLUX, input: { prompt: 1, foo: 1 } })
    expect(wrong.status).toBe(400)
    expect(String(wrong.body.message)).toMatch(/input\.prompt must be string/)
    const chat = await call(mock, 'POST', '/v1/chat/completions', KEY, { model: 'gpt-4o-mini', frobnicate: 1 })
    expect(chat.status).toBe(400)
    expect(JSON.stringify(chat.body)).toMatch(/messages/)
  })

  it('reports unknown keys of the other routes too (schemas marked x-goapi-unknown-keys: report)', async () => {
    const res = await fetch(`${mock.url}/v1/embeddings`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'text-embedding-3-small', input: 'hi', frobnicate: 1 }),
    })
    expect(res.status).toBe(200)
    expect(res.headers.get(HEADER)).toBe('frobnicate')
  })

  it('does not report keys of schemas documented as passed through (OpenAI chat fields)', async () => {
    const res = await fetch(`${mock.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], seed: 7 }),
    })
    expect(res.status).toBe(200)
    expect(res.headers.get(HEADER)).toBeNull()
  })

  it('percent-encodes key names that are not plain field names', async () => {
    const res = await call(mock, 'POST', '/api/v1/task', KEY, {
      ...FLUX,
      input: { ...FLUX.input, 'evil\r\nx-injected: 1': 1, ünï: 2 },
    })
    expect(res.status).toBe(200)
    expect(res.headers.get('x-injected')).toBeNull()
    expect(res.headers.get(HEADER)).toBe('input.evil%0D%0Ax-injected%3A%201,input.%C3%BCn%C3%AF')
  })
})

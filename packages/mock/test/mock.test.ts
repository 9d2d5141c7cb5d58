import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startMock, FAIL_MARKER, type MockServer } from '../src/index.js'

let mock: MockServer
const KEY = 'mock-test-key'

async function post(body: string | object, headers: Record<string, string> = { 'x-api-key': KEY }) {
  const res = await fetch(`${mock.url}/api/v1/task`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })
  return {
    status: res.status,
    body: (await res.json()) as {
      code: number
      message: string
      data?: { task_id: string; status: string; output: unknown; errors?: Array<{ path: string }> }
    },
  }
}

beforeAll(async () => {
  mock = await startMock({ keys: [KEY], maxBodyBytes: 4096, maxTasks: 50 })
})
afterAll(() => mock.close())

describe('negative corpus: precise 4xx, server stays up', () => {
  it.each([
    ['malformed JSON', '{"model": ', 400, /not valid JSON/],
    ['a JSON array', '[]', 400, /JSON object/],
    ['missing model', { task_type: 'txt2img', input: {} }, 400, /model is required/],
    ['unknown model', { model: 'nope', task_type: 'txt2img', input: {} }, 400, /unknown model "nope"/],
    [
      'task type the model lacks',
      { model: 'Qubico/flux1-schnell', task_type: 'kontext', input: {} },
      400,
      /has no task type "kontext"/,
    ],
    ['missing input', { model: 'Qubico/flux1-dev', task_type: 'txt2img' }, 400, /input/],
    [
      'wrong-typed field',
      { model: 'Qubico/flux1-dev', task_type: 'txt2img', input: { prompt: 1 } },
      400,
      /input\.prompt must be string/,
    ],
    [
      'bad enum',
      { model: 'kling', task_type: 'video_generation', input: { prompt: 'x', mode: 'ultra' } },
      400,
      /input\.mode must be one of "std", "pro"/,
    ],
    [
      'oversized body',
      { model: 'Qubico/flux1-dev', task_type: 'txt2img', input: { prompt: 'x'.repeat(10_000) } },
      413,
      /too large/,
    ],
  ])('%s', async (_name, body, status, message) => {
    const res = await post(body)
    expect(res.status).toBe(status)
    expect(res.body.code).toBe(status)
    expect(res.body.message).toMatch(message)
  })

  it('accepts input keys the spec does not know (GoAPI passes them through; spec/README.md)', async () => {
    const res = await post({ model: 'Qubico/flux1-dev', task_type: 'txt2img', input: { prompt: 'x', colour: 1 } })
    expect(res.status).toBe(200)
  })

  it('names every failing field path in data.errors', async () => {
    const res = await post({ model: 'kling', task_type: 'video_generation', input: { prompt: 2, duration: 'long' } })
    expect(res.body.data?.errors?.map((e) => e.path).sort()).toEqual(['input.duration', 'input.prompt'])
  })

  it('requires a known API key', async () => {
    expect((await post({ model: 'Qubico/flux1-dev', task_type: 'txt2img', input: { prompt: 'x' } }, {})).status).toBe(
      401,
    )
    expect(
      (
        await post(
          { model: 'Qubico/flux1-dev', task_type: 'txt2img', input: { prompt: 'x' } },
          { 'x-api-key': 'other' },
        )
      ).status,
    ).toBe(401)
  })

  it('answers a wrong method with 405 and accepts a Bearer key', async () => {
    const res = await fetch(`${mock.url}/api/v1/task/some-id`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${KEY}` },
    })
    expect(res.status).toBe(405)
    expect((await fetch(`${mock.url}/api/v1/task/nope`, { headers: { authorization: `Bearer ${KEY}` } })).status).toBe(
      404,
    )
  })

  it('answers unknown routes with 404 and keeps serving', async () => {
    const res = await fetch(`${mock.url}/nope`)
    expect(res.status).toBe(404)
    expect(
      (await post({ model: 'Qubico/flux1-dev', task_type: 'txt2img', input: { prompt: 'still up' } })).status,
    ).toBe(200)
  })
})

describe('lifecycle and outputs', () => {
  it('completes instantly with zero latency and serves a PNG that depends on the prompt', async () => {
    const a = await post({ model: 'Qubico/flux1-dev', task_type: 'txt2img', input: { prompt: 'red' } })
    const b = await post({ model: 'Qubico/flux1-dev', task_type: 'txt2img', input: { prompt: 'blue' } })
    const get = async (id: string) =>
      (
        (await (await fetch(`${mock.url}/api/v1/task/${id}`, { headers: { 'x-api-key': KEY } })).json()) as {
          data: { status: string; output: { image_url: string } }
        }
      ).data
    const ta = await get(a.body.data?.task_id ?? '')
    const tb = await get(b.body.data?.task_id ?? '')
    expect(ta.status).toBe('completed')
    const pa = Buffer.from(await (await fetch(ta.output.image_url)).arrayBuffer())
    const pb = Buffer.from(await (await fetch(tb.output.image_url)).arrayBuffer())
    expect(pa.subarray(1, 4).toString('ascii')).toBe('PNG')
    expect(pa.equals(pb)).toBe(false)
    expect(Buffer.from(await (await fetch(ta.output.image_url)).arrayBuffer()).equals(pa)).toBe(true)
    expect(mock.spec.check('TaskData', ta)).toEqual([])
  })

  it('fails a task whose input carries the failure marker', async () => {
    const res = await post({ model: 'Qubico/flux1-dev', task_type: 'txt2img', input: { prompt: `x ${FAIL_MARKER}` } })
    const task = (
      (await (
        await fetch(`${mock.url}/api/v1/task/${res.body.data?.task_id}`, { headers: { 'x-api-key': KEY } })
      ).json()) as { data: { status: string; error: { code: number } } }
    ).data
    expect(task.status).toBe('failed')
    expect(task.error.code).not.toBe(0)
  })

  it('keeps at most maxTasks tasks, evicting the oldest', async () => {
    for (let i = 0; i < 60; i++)
      await post({ model: 'Qubico/flux1-dev', task_type: 'txt2img', input: { prompt: `n${i}` } })
    expect(mock.state.tasks.size).toBe(50)
  })
})

// The SDK unchanged in the browser's place: createProxyClient({ baseUrl }) and a family
// function, through the real proxy to the simulator. wait() follows the events stream.
import { createProxyClient } from '@goapi/client'
import { txt2img } from '@goapi/flux'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ProxyCall } from '../src/index.js'
import { startStack, type Stack } from './helpers.js'

describe('txt2img through the proxy', () => {
  let stack: Stack
  const calls: ProxyCall['action'][] = []
  beforeAll(async () => {
    stack = await startStack({ authorize: (call) => void calls.push(call.action) })
  })
  afterAll(() => stack.close())

  it('creates with no key in the browser and waits on the events stream, not by polling', async () => {
    const goapi = createProxyClient({ baseUrl: stack.base })
    const progress: string[] = []
    const task = await txt2img(
      goapi,
      { prompt: 'a bear' },
      { model: 'Qubico/flux1-schnell', onProgress: (t) => progress.push(t.status) },
    )
    expect(task.status).toBe('completed')
    expect(task.output.image_url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/files\//)
    expect(progress.at(-1)).toBe('completed')
    expect(calls).toEqual(['create', 'events'])
  })

  it('a disallowed model is refused with the typed 403', async () => {
    const goapi = createProxyClient({ baseUrl: stack.base })
    await expect(txt2img(goapi, { prompt: 'a bear' }, { model: 'Qubico/flux1-dev' })).rejects.toMatchObject({
      name: 'PermissionDeniedError',
      status: 403,
    })
  })
})

describe('when the events stream is refused', () => {
  let stack: Stack
  const calls: ProxyCall['action'][] = []
  beforeAll(async () => {
    stack = await startStack({ events: { maxListeners: 0 }, authorize: (call) => void calls.push(call.action) })
  })
  afterAll(() => stack.close())

  it('wait() reads the task with a GET after each refused stream, and opens the stream again', async () => {
    const goapi = createProxyClient({ baseUrl: stack.base })
    const task = await txt2img(
      goapi,
      { prompt: 'a bear' },
      { model: 'Qubico/flux1-schnell', poll: { initialDelayMs: 20, jitter: 0 } },
    )
    expect(task.status).toBe('completed')
    expect(calls.slice(0, 3)).toEqual(['create', 'events', 'get'])
    // After the first GET: the stream again, then a GET, and so on, never two GETs in a row.
    expect(calls.slice(1).every((c, i) => c === (i % 2 === 0 ? 'events' : 'get'))).toBe(true)
  })
})

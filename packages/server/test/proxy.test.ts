// Black-box tests of the proxy: real HTTP on 127.0.0.1 through toNodeListener, the simulator
// upstream (accepting only the server's key) behind a relay that records what GoAPI would see.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FLUX, SERVER_KEY, post, readEvents, startStack, type Stack } from './helpers.js'

describe('creating tasks', () => {
  let stack: Stack
  beforeAll(async () => {
    stack = await startStack()
  })
  afterAll(() => stack.close())

  const created = () => stack.mock.state.created

  it('an allowed task is created with the server key; the browser key and hop-by-hop headers are not forwarded', async () => {
    const before = stack.upstream.seen.length
    const answer = await post(`${stack.base}/api/v1/task`, FLUX, {
      'x-api-key': 'browser-key',
      authorization: 'Bearer browser-bearer',
      'proxy-authorization': 'Basic x',
      te: 'trailers',
      'x-forwarded-for': '10.0.0.1',
    })
    expect(answer.status).toBe(200)
    const body = (await answer.json()) as { data: { task_id: string; model: string } }
    expect(body.data.model).toBe('Qubico/flux1-schnell')
    const upstream = stack.upstream.seen.slice(before)
    expect(upstream.map((s) => `${s.method} ${s.url}`)).toEqual(['POST /api/v1/task'])
    const headers = upstream[0]?.headers ?? {}
    expect(headers['x-api-key']).toBe(SERVER_KEY)
    expect(headers.authorization).toBeUndefined()
    expect(headers['proxy-authorization']).toBeUndefined()
    expect(headers['x-forwarded-for']).toBeUndefined()
    expect(JSON.stringify(headers)).not.toContain('browser')
    expect(stack.mock.state.get(body.data.task_id)?.apiKey).toBe(SERVER_KEY)
  })

  it('a model outside the allowlist gets 403 and nothing reaches GoAPI', async () => {
    const before = { created: created(), seen: stack.upstream.seen.length }
    const answer = await post(`${stack.base}/api/v1/task`, {
      model: 'Qubico/flux1-dev',
      task_type: 'txt2img',
      input: { prompt: 'a bear' },
    })
    expect(answer.status).toBe(403)
    expect(((await answer.json()) as { message: string }).message).toContain('Qubico/flux1-dev')
    expect(created()).toBe(before.created)
    expect(stack.upstream.seen.length).toBe(before.seen)
  })

  it('a task type outside the allowlist gets 403', async () => {
    const before = created()
    const answer = await post(`${stack.base}/api/v1/task`, {
      model: 'Qubico/flux1-schnell',
      task_type: 'img2img',
      input: { prompt: 'a bear', image: 'https://example.com/a.png' },
    })
    expect(answer.status).toBe(403)
    expect(created()).toBe(before)
  })

  it('invalid input gets 400 with field paths and nothing is created', async () => {
    const before = { created: created(), seen: stack.upstream.seen.length }
    const answer = await post(`${stack.base}/api/v1/task`, {
      ...FLUX,
      input: { prompt: 'a bear', width: 'wide', colour: 'red' },
    })
    expect(answer.status).toBe(400)
    const body = (await answer.json()) as { message: string; data: { errors: Array<{ path: string }> } }
    const paths = body.data.errors.map((e) => e.path)
    expect(paths).toContain('input.width')
    expect(paths).toContain('input.colour')
    expect(body.message).toMatch(/^Invalid request parameters: input\./)
    expect(created()).toBe(before.created)
    expect(stack.upstream.seen.length).toBe(before.seen)
  })

  it("unknownKeys: 'forward' sends an undocumented input key on; a wrong type is still refused", async () => {
    const forwarding = await startStack({ unknownKeys: 'forward' })
    try {
      const sent = await post(`${forwarding.base}/api/v1/task`, { ...FLUX, input: { prompt: 'a bear', colour: 'red' } })
      expect(sent.status).toBe(200)
      const upstream = forwarding.upstream.seen.filter((s) => s.method === 'POST')
      expect(upstream).toHaveLength(1)
      const wrong = await post(`${forwarding.base}/api/v1/task`, {
        ...FLUX,
        input: { prompt: 'a bear', width: 'wide' },
      })
      expect(wrong.status).toBe(400)
      expect(forwarding.mock.state.created).toBe(1)
    } finally {
      await forwarding.close()
    }
  })

  it('a missing required field is named', async () => {
    const answer = await post(`${stack.base}/api/v1/task`, { ...FLUX, input: {} })
    expect(answer.status).toBe(400)
    const body = (await answer.json()) as { data: { errors: Array<{ path: string; message: string }> } }
    expect(body.data.errors.some((e) => e.path.startsWith('input') && e.message.includes('prompt'))).toBe(true)
  })

  it('a body that is not JSON, or not JSON typed, is refused before anything is sent', async () => {
    const before = stack.upstream.seen.length
    expect((await post(`${stack.base}/api/v1/task`, '{"model":')).status).toBe(400)
    const text = await fetch(`${stack.base}/api/v1/task`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify(FLUX),
    })
    expect(text.status).toBe(415)
    expect(stack.upstream.seen.length).toBe(before)
  })

  it('a 20 MB body gets 413 (declared length)', async () => {
    const before = created()
    const big = JSON.stringify({ ...FLUX, input: { prompt: 'x'.repeat(20 * 1024 * 1024) } })
    const answer = await post(`${stack.base}/api/v1/task`, big)
    expect(answer.status).toBe(413)
    expect(created()).toBe(before)
  })

  it('a 20 MB body streamed without Content-Length gets 413: bytes are counted as they arrive', async () => {
    const before = created()
    const chunk = new TextEncoder().encode('x'.repeat(1024 * 1024))
    let sent = 0
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent === 0)
          controller.enqueue(new TextEncoder().encode('{"model":"Qubico/flux1-schnell","input":{"prompt":"'))
        if (sent++ >= 20) return controller.close()
        controller.enqueue(chunk)
      },
    })
    const answer = await fetch(`${stack.base}/api/v1/task`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      duplex: 'half',
    } as RequestInit & { duplex: 'half' })
    expect(answer.status).toBe(413)
    expect(created()).toBe(before)
  })

  it("the browser's config (webhook endpoint, secret) is dropped", async () => {
    const answer = await post(`${stack.base}/api/v1/task`, {
      ...FLUX,
      config: { webhook_config: { endpoint: 'https://attacker.example/hook', secret: 's' } },
    })
    expect(answer.status).toBe(200)
    const { data } = (await answer.json()) as { data: { task_id: string } }
    expect(stack.mock.state.get(data.task_id)?.config.webhook_config.endpoint).toBe('')
  })

  it('unknown routes get 404 and wrong methods 405', async () => {
    expect((await fetch(`${stack.base}/api/v1/tasks`, { method: 'DELETE' })).status).toBe(404)
    expect((await fetch(`${stack.server.url}/elsewhere`)).status).toBe(404)
    const wrong = await fetch(`${stack.base}/api/v1/task`)
    expect(wrong.status).toBe(405)
    expect(wrong.headers.get('allow')).toBe('POST')
    expect((await fetch(`${stack.base}/api/v1/task/..%2F..%2Faccount`)).status).toBe(400)
  })
})

describe('reading, cancelling and following tasks', () => {
  let stack: Stack
  const calls: string[] = []
  beforeAll(async () => {
    stack = await startStack({
      allow: (call) => {
        calls.push(call.action)
        return call.action !== 'cancel' && (call.action !== 'create' || call.model === 'Qubico/flux1-schnell')
      },
    })
  })
  afterAll(() => stack.close())

  const createOne = async (): Promise<string> => {
    const answer = await post(`${stack.base}/api/v1/task`, FLUX)
    return ((await answer.json()) as { data: { task_id: string } }).data.task_id
  }

  it('get passes the task through; the allow function sees every call', async () => {
    const id = await createOne()
    const answer = await fetch(`${stack.base}/api/v1/task/${id}`)
    expect(answer.status).toBe(200)
    expect(((await answer.json()) as { data: { task_id: string } }).data.task_id).toBe(id)
    expect(calls).toEqual(['create', 'get'])
    expect((await fetch(`${stack.base}/api/v1/task/${id}`, { method: 'DELETE' })).status).toBe(403)
    const missing = await fetch(`${stack.base}/api/v1/task/00000000-0000-0000-0000-000000000000`)
    expect(missing.status).toBe(404)
  })

  it('the events stream reaches completed, and two listeners of one task share one watch', async () => {
    const id = await createOne()
    const [a, b] = await Promise.all([
      fetch(`${stack.base}/api/v1/task/${id}/events`),
      fetch(`${stack.base}/api/v1/task/${id}/events`),
    ])
    expect(a.headers.get('content-type')).toMatch(/^text\/event-stream/)
    const [ea, eb] = await Promise.all([readEvents(a), readEvents(b)])
    for (const events of [ea, eb]) {
      const tasks = events.filter((e) => e.event === 'task').map((e) => e.data as { status: string })
      expect(tasks.at(-1)?.status).toBe('completed')
      expect(events.at(-1)?.event).toBe('end')
    }
    expect(stack.proxy.events).toEqual({ tasks: 0, listeners: 0 })
  })

  it('a listener that leaves stops the watch', async () => {
    const id = await createOne()
    const controller = new AbortController()
    const answer = await fetch(`${stack.base}/api/v1/task/${id}/events`, { signal: controller.signal })
    const reader = answer.body?.getReader()
    await reader?.read()
    expect(stack.proxy.events.listeners).toBe(1)
    controller.abort()
    await expect.poll(() => stack.proxy.events).toEqual({ tasks: 0, listeners: 0 })
  })

  it('the events stream of an unknown task ends with an error event', async () => {
    const answer = await fetch(`${stack.base}/api/v1/task/00000000-0000-0000-0000-000000000000/events`)
    const events = await readEvents(answer)
    expect(events.at(-1)).toEqual({ event: 'error', data: { error: { status: 404, message: expect.any(String) } } })
  })
})

describe('bounds of the events streams', () => {
  let stack: Stack
  beforeAll(async () => {
    stack = await startStack(
      { events: { maxTasks: 1, maxListeners: 10 } },
      { latency: { pendingMs: 60_000, processingMs: 0 } },
    )
  })
  afterAll(() => stack.close())

  it('a second task beyond maxTasks gets an error event, the first keeps its stream', async () => {
    const ids: string[] = []
    for (let i = 0; i < 2; i++) {
      const answer = await post(`${stack.base}/api/v1/task`, FLUX)
      ids.push(((await answer.json()) as { data: { task_id: string } }).data.task_id)
    }
    const first = (await fetch(`${stack.base}/api/v1/task/${ids[0]}/events`)).body?.getReader()
    await first?.read()
    const second = await readEvents(await fetch(`${stack.base}/api/v1/task/${ids[1]}/events`))
    expect(second.at(-1)).toEqual({
      event: 'error',
      data: { error: { status: 503, message: 'Too many task streams' } },
    })
    expect(stack.proxy.events.tasks).toBe(1)
    await first?.cancel()
  })
})

describe('a browser that goes away', () => {
  let stack: Stack
  const controller = new AbortController()
  const recorded: string[] = []
  beforeAll(async () => {
    stack = await startStack({
      // Drop the browser's connection right before the create is sent, and wait until the proxy sees it.
      authorize: async (_call, request) => {
        controller.abort()
        await new Promise<void>((resolve) =>
          request.signal.aborted ? resolve() : request.signal.addEventListener('abort', () => resolve()),
        )
      },
      onTaskCreated: (task) => void recorded.push(task.task_id),
    })
  })
  afterAll(() => stack.close())

  it('does not abort a create once it is being sent: the task is made and onTaskCreated sees it', async () => {
    await expect(
      fetch(`${stack.base}/api/v1/task`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(FLUX),
        signal: controller.signal,
      }),
    ).rejects.toThrow()
    await expect.poll(() => recorded.length).toBe(1)
    expect(stack.mock.state.get(recorded[0] ?? '')?.apiKey).toBe(SERVER_KEY)
  })
})

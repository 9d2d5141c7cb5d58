import { startMock, FAIL_MARKER, type MockServer } from '@goapi/mock'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  AbortError,
  AuthenticationError,
  ConfigurationError,
  InvalidRequestError,
  NotFoundError,
  TaskFailedError,
  TimeoutError,
  createClient,
  isTaskOf,
  taskState,
  type GoApiClient,
} from '../src/index.js'

const KEY = 'sk-test-0123456789'
const FAST = { poll: { initialDelayMs: 5, maxDelayMs: 20 } }
let mock: MockServer
let slow: MockServer
let goapi: GoApiClient

beforeAll(async () => {
  mock = await startMock({ keys: [KEY], latency: { pendingMs: 300, processingMs: 30 } })
  slow = await startMock({ keys: [KEY], latency: { pendingMs: 60_000, processingMs: 60_000 } })
  goapi = createClient({ apiKey: KEY, baseUrl: mock.url, wait: FAST })
})
afterAll(async () => {
  await mock.close()
  await slow.close()
})

describe('createClient', () => {
  it('refuses to start without an API key', () => {
    const saved = process.env.GOAPI_API_KEY
    delete process.env.GOAPI_API_KEY
    try {
      expect(() => createClient({ baseUrl: mock.url })).toThrow(ConfigurationError)
      expect(() => createClient({ apiKey: '  ' })).toThrow(/API key/)
    } finally {
      if (saved !== undefined) process.env.GOAPI_API_KEY = saved
    }
  })

  it('does not expose the key on the client object', () => {
    expect(JSON.stringify(goapi)).not.toContain(KEY)
  })
})

describe('tasks over HTTP', () => {
  it('creates, gets and waits for a task', async () => {
    const task = await goapi.createTask({
      model: 'Qubico/flux1-schnell',
      task_type: 'txt2img',
      input: { prompt: 'a bear' },
    })
    expect(task.task_id).toMatch(/[0-9a-f-]{36}/)
    expect(taskState(task.status)).toBe('pending')
    expect(task.output).toBeNull()
    const seen: string[] = []
    const done = await goapi.wait(task, { onProgress: (t) => seen.push(taskState(t.status)) })
    expect(done.output.image_url).toMatch(new RegExp(`^${mock.url}/files/`))
    expect(seen[0]).toBe('pending')
    expect(seen.at(-1)).toBe('completed')
    const again = await goapi.getTask(task.task_id)
    expect(isTaskOf(again, 'Qubico/flux1-schnell', 'txt2img') && again.output?.image_url).toBe(done.output.image_url)
  })

  it('run() resolves with the completed, typed task', async () => {
    const task = await goapi.run({ model: 'kling', task_type: 'video_generation', input: { prompt: 'a cat surfing' } })
    expect(task.status).toBe('completed')
    expect(task.model).toBe('kling')
  })

  it('throws TaskFailedError carrying the task and its error', async () => {
    const error = await goapi
      .run({ model: 'Qubico/flux1-dev', task_type: 'txt2img', input: { prompt: `a bear ${FAIL_MARKER}` } })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TaskFailedError)
    const failed = error as TaskFailedError
    expect(failed.task.status).toBe('failed')
    expect(failed.code).toBe(10000)
    expect(failed.rawMessage).toContain(FAIL_MARKER)
    expect(failed.taskId).toBe(failed.task.task_id)
  })

  it('maps a 400 to InvalidRequestError naming the field', async () => {
    const error = await goapi
      .createUntypedTask({ model: 'Qubico/flux1-dev', task_type: 'txt2img', input: { prompt: 42 } })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(InvalidRequestError)
    expect((error as InvalidRequestError).status).toBe(400)
    expect((error as InvalidRequestError).apiMessage).toContain('input.prompt')
  })

  it('rejects an unknown model and a task type the model lacks', async () => {
    await expect(goapi.createUntypedTask({ model: 'nope', task_type: 'txt2img', input: {} })).rejects.toThrow(
      /unknown model "nope"/,
    )
    await expect(
      goapi.createUntypedTask({ model: 'Qubico/flux1-schnell', task_type: 'kontext', input: { prompt: 'x' } }),
    ).rejects.toThrow(/has no task type "kontext"/)
  })

  it('maps 401 and 404', async () => {
    const wrong = createClient({ apiKey: 'wrong-key', baseUrl: mock.url })
    await expect(wrong.getTask('x')).rejects.toBeInstanceOf(AuthenticationError)
    await expect(goapi.getTask('00000000-0000-0000-0000-000000000000')).rejects.toBeInstanceOf(NotFoundError)
  })

  it('cancels a pending task, once', async () => {
    const client = createClient({ apiKey: KEY, baseUrl: slow.url })
    const task = await client.createTask({ model: 'kling', task_type: 'video_generation', input: { prompt: 'x' } })
    const res = await client.cancelTask(task.task_id)
    expect(res.message).toBe(`task ${task.task_id} canceled`)
    expect(taskState((await client.getTask(task.task_id)).status)).toBe('failed')
    await expect(client.cancelTask(task.task_id)).rejects.toBeInstanceOf(InvalidRequestError)
  })

  it('cancels pending tasks in bulk by time and model', async () => {
    const client = createClient({ apiKey: KEY, baseUrl: slow.url })
    const a = await client.createTask({ model: 'kling', task_type: 'video_generation', input: { prompt: 'a' } })
    const b = await client.createTask({ model: 'Qubico/flux1-dev', task_type: 'txt2img', input: { prompt: 'b' } })
    await client.cancelTasks({ createdBefore: Date.now() + 1000, model: 'kling' })
    expect(taskState((await client.getTask(a.task_id)).status)).toBe('failed')
    expect(taskState((await client.getTask(b.task_id)).status)).toBe('pending')
  })

  it('gives up at the deadline with the last task seen, which keeps running', async () => {
    const client = createClient({ apiKey: KEY, baseUrl: slow.url, wait: FAST })
    const task = await client.createTask({ model: 'kling', task_type: 'video_generation', input: { prompt: 'slow' } })
    const error = await client.wait(task, { timeoutMs: 80 }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TimeoutError)
    expect((error as TimeoutError).task?.task_id).toBe(task.task_id)
    expect((error as TimeoutError).message).toMatch(/keeps running/)
  })

  it('stops waiting when the signal aborts', async () => {
    const client = createClient({ apiKey: KEY, baseUrl: slow.url, wait: FAST })
    const task = await client.createTask({ model: 'kling', task_type: 'video_generation', input: { prompt: 'slow' } })
    const controller = new AbortController()
    const waiting = client.wait(task, { signal: controller.signal })
    setTimeout(() => controller.abort(), 30)
    await expect(waiting).rejects.toBeInstanceOf(AbortError)
  })

  it('reports a refused connection as APIConnectionError', async () => {
    const closed = await startMock()
    const url = closed.url
    await closed.close()
    const client = createClient({ apiKey: KEY, baseUrl: url })
    await expect(client.getTask('x')).rejects.toMatchObject({ name: 'APIConnectionError' })
  })
})

describe('taskState', () => {
  it('reads every documented status spelling', () => {
    expect(['Completed', 'completed', 'success'].map(taskState)).toEqual(['completed', 'completed', 'completed'])
    expect(['Pending', '', 'starting', 'retry'].map(taskState)).toEqual(['pending', 'pending', 'pending', 'pending'])
    expect(['Staged', 'Processing', 'in_progress', 'Failed'].map(taskState)).toEqual([
      'staged',
      'processing',
      'processing',
      'failed',
    ])
  })
})

describe('a custom fetch', () => {
  it('gets the attempt signal in init, and a fetch that ignores it still cannot hang a call', async () => {
    const seen: Array<AbortSignal | null | undefined> = []
    const honouring = createClient({
      apiKey: KEY,
      baseUrl: mock.url,
      fetch: (input, init) => {
        seen.push(init?.signal)
        return fetch(input, init)
      },
    })
    const created = await honouring.createTask({
      model: 'Qubico/flux1-schnell',
      task_type: 'txt2img',
      input: { prompt: 'x' },
    })
    await honouring.getTask(created.task_id)
    expect(seen).toHaveLength(2)
    expect(seen.every((s) => s instanceof AbortSignal)).toBe(true)

    const never = new Promise<Response>(() => undefined)
    const ignoring = createClient({ apiKey: KEY, baseUrl: mock.url, fetch: () => never, maxRetries: 0 })
    await expect(ignoring.getTask(created.task_id, { timeoutMs: 20 })).rejects.toBeInstanceOf(TimeoutError)
    const controller = new AbortController()
    const aborted = ignoring.getTask(created.task_id, { signal: controller.signal })
    controller.abort()
    await expect(aborted).rejects.toBeInstanceOf(AbortError)
  })
})

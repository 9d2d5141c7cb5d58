// The simulator's HTTP server: node:http on 127.0.0.1, no framework.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { CONTENT_TYPES, renderFile, type FileKind } from './files/index.js'
import { materialize } from './output.js'
import { SpecIndex, type FieldError } from './spec.js'
import { endedAt, FAIL_MARKER, MockState, startedAt, statusOf, wantsFailure, type Latency, type MockTask } from './state.js'

export interface MockOptions {
  /** Port to listen on; 0 (default) picks a free one. */
  port?: number
  /** Host to bind; default 127.0.0.1. */
  host?: string
  /** How long tasks stay pending and processing: one value for all, or per family (`flux`, `kling`, ...). */
  latency?: Partial<Latency> & { byFamily?: Record<string, Partial<Latency>> }
  /** Accepted API keys. Default: any non-empty key. */
  keys?: string[]
  /** Largest request body accepted, in bytes (default 16 MiB); larger bodies get 413. */
  maxBodyBytes?: number
  /** Most tasks kept in memory; the oldest are evicted first (default 10 000). */
  maxTasks?: number
  /** Called with one line per request (method, path, status, ms). Default: silent. */
  log?: (line: string) => void
  /** Use another spec (tests). */
  spec?: SpecIndex
}

export interface MockServer {
  /** Base URL, e.g. `http://127.0.0.1:4010`. Pass it as the client's `baseUrl`. */
  url: string
  port: number
  state: MockState
  spec: SpecIndex
  close(): Promise<void>
}

const DEFAULT_LATENCY: Latency = { pendingMs: 0, processingMs: 0 }

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message)
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body)
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) })
  res.end(text)
}

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0)
  if (declared > limit) throw new HttpError(413, `Request body too large (limit ${limit} bytes)`)
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    const buf = chunk as Buffer
    size += buf.length
    if (size > limit) throw new HttpError(413, `Request body too large (limit ${limit} bytes)`)
    chunks.push(buf)
  }
  return Buffer.concat(chunks)
}

function iso(ms: number): string {
  return new Date(ms).toISOString()
}

const ZERO_TIME = '0001-01-01T00:00:00Z'

export function createMock(options: MockOptions = {}) {
  const spec = options.spec ?? new SpecIndex()
  const state = new MockState(options.maxTasks ?? 10_000)
  const limit = options.maxBodyBytes ?? 16 * 1024 * 1024
  const keys = options.keys ? new Set(options.keys) : undefined
  let baseUrl = ''

  const latencyFor = (family: string | undefined): Latency => ({
    ...DEFAULT_LATENCY,
    ...(options.latency?.pendingMs !== undefined ? { pendingMs: options.latency.pendingMs } : {}),
    ...(options.latency?.processingMs !== undefined ? { processingMs: options.latency.processingMs } : {}),
    ...(family ? options.latency?.byFamily?.[family] : undefined),
  })

  const taskData = (task: MockTask, now: number) => {
    const status = statusOf(task, now)
    const started = status === 'pending' && task.cancelledAt === undefined ? ZERO_TIME : iso(Math.min(startedAt(task), task.cancelledAt ?? Infinity))
    const ended = status === 'completed' || status === 'failed' ? iso(endedAt(task)) : ZERO_TIME
    let output: unknown = null
    if (status === 'completed' && task.entry) output = materialize(spec.example(task.entry.output), baseUrl, task.id).output
    const error =
      status === 'failed'
        ? task.cancelledAt !== undefined
          ? { code: 10000, message: 'task canceled', raw_message: 'canceled by user', detail: null }
          : { code: task.failure?.code ?? 10000, message: task.failure?.message ?? 'task failed', raw_message: task.failure?.raw_message ?? '', detail: null }
        : { code: 0, message: '', raw_message: '', detail: null }
    return {
      task_id: task.id,
      model: task.model,
      task_type: task.taskType,
      status,
      config: task.config,
      input: task.input,
      output,
      meta: {
        created_at: iso(task.createdAt),
        started_at: started,
        ended_at: ended,
        usage: { type: 'point', frozen: task.credits, consume: status === 'completed' ? task.credits : 0 },
        is_using_private_pool: task.config.service_mode === 'private',
      },
      detail: null,
      logs: [],
      error,
    }
  }

  const authenticate = (req: IncomingMessage): string => {
    const key = req.headers['x-api-key']
    const value = Array.isArray(key) ? key[0] : key
    const bearer = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1]
    const apiKey = value ?? bearer
    if (!apiKey || !apiKey.trim() || (keys && !keys.has(apiKey))) throw new HttpError(401, 'Unauthorized: the API key is missing or incorrect')
    return apiKey
  }

  const createTask = async (req: IncomingMessage, apiKey: string) => {
    const raw = await readBody(req, limit)
    let body: unknown
    try {
      body = JSON.parse(raw.toString('utf8'))
    } catch {
      throw new HttpError(400, 'Invalid request parameters: the body is not valid JSON')
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new HttpError(400, 'Invalid request parameters: the body must be a JSON object')
    const { model, task_type: taskType, input } = body as Record<string, unknown>
    if (typeof model !== 'string') throw fieldError([{ path: 'model', message: 'is required and must be a string' }])
    if (typeof taskType !== 'string') throw fieldError([{ path: 'task_type', message: 'is required and must be a string' }])
    const entry = spec.task(model, taskType)
    if (!entry) {
      const types = spec.taskTypes(model)
      throw fieldError([
        types.length === 0
          ? { path: 'model', message: `unknown model "${model}"` }
          : { path: 'task_type', message: `model "${model}" has no task type "${taskType}" (it has: ${types.join(', ')})` },
      ])
    }
    const errors = spec.check(entry.request, body)
    if (errors.length > 0) throw fieldError(errors)
    const config = ((body as Record<string, unknown>).config ?? {}) as { service_mode?: string; webhook_config?: { endpoint?: string; secret?: string } }
    const task = state.add({
      apiKey,
      model,
      taskType,
      input: input as Record<string, unknown>,
      config: {
        service_mode: config.service_mode ?? '',
        webhook_config: { endpoint: config.webhook_config?.endpoint ?? '', secret: config.webhook_config?.secret ?? '' },
      },
      entry,
      createdAt: Date.now(),
      latency: latencyFor(entry.family),
      failure: wantsFailure(input) ? { code: 10000, message: 'generation failed', raw_message: `simulated failure requested with ${FAIL_MARKER}` } : undefined,
      credits: entry.kind === 'video' ? 2_000_000 : 150_000,
    })
    return task
  }

  const findTask = (id: string, apiKey: string): MockTask => {
    const task = state.get(id)
    if (!task || task.apiKey !== apiKey) throw new HttpError(404, `task ${id} not found`)
    return task
  }

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<number> => {
    const url = new URL(req.url ?? '/', 'http://localhost')
    const path = url.pathname
    const method = req.method ?? 'GET'
    let m: RegExpExecArray | null

    if ((m = /^\/files\/([^/]+)\/(\d+)\.(png|wav|mp4|glb|txt)$/.exec(path)) && method === 'GET') {
      const task = state.get(m[1] ?? '')
      if (!task) throw new HttpError(404, 'file not found')
      const kind = m[3] as FileKind
      const bytes = renderFile(kind, `${task.model}|${task.taskType}|${JSON.stringify(task.input)}|${m[2]}`)
      res.writeHead(200, { 'content-type': CONTENT_TYPES[kind], 'content-length': bytes.length })
      res.end(bytes)
      return 200
    }

    if (path === '/api/v1/task' && method === 'POST') {
      const apiKey = authenticate(req)
      const task = await createTask(req, apiKey)
      sendJson(res, 200, { code: 200, message: 'success', data: taskData(task, Date.now()) })
      return 200
    }
    if ((m = /^\/api\/v1\/task\/([^/]+)$/.exec(path))) {
      const apiKey = authenticate(req)
      const task = findTask(decodeURIComponent(m[1] ?? ''), apiKey)
      if (method === 'GET') {
        sendJson(res, 200, { code: 200, message: 'success', data: taskData(task, Date.now()) })
        return 200
      }
      if (method === 'DELETE') {
        if (statusOf(task, Date.now()) !== 'pending') throw new HttpError(400, `task ${task.id} is not pending and cannot be canceled`)
        task.cancelledAt = Date.now()
        sendJson(res, 200, { code: 200, message: `task ${task.id} canceled` })
        return 200
      }
      throw new HttpError(405, `method ${method} not allowed`)
    }
    if (path === '/api/v1/tasks' && method === 'DELETE') {
      const apiKey = authenticate(req)
      const before = Number(url.searchParams.get('created_before'))
      const model = url.searchParams.get('model')
      if (!url.searchParams.has('created_before') || !Number.isInteger(before)) throw fieldError([{ path: 'created_before', message: 'is required and must be a Unix time in seconds' }])
      if (!model || !['kling', 'midjourney', 'suno', 'luma', 'all'].includes(model)) throw fieldError([{ path: 'model', message: 'must be one of "kling", "midjourney", "suno", "luma", "all"' }])
      const now = Date.now()
      let canceled = 0
      for (const task of state.tasks.values()) {
        if (task.apiKey !== apiKey || task.createdAt >= before * 1000 || (model !== 'all' && task.model !== model)) continue
        if (statusOf(task, now) !== 'pending') continue
        task.cancelledAt = now
        canceled++
      }
      sendJson(res, 200, { code: 200, message: 'success', data: { canceled } })
      return 200
    }
    throw new HttpError(404, `no route ${method} ${path}`)
  }

  const server: Server = createServer((req, res) => {
    const started = Date.now()
    handle(req, res)
      .catch((error: unknown) => {
        const status = error instanceof HttpError ? error.status : 500
        const message = error instanceof Error ? error.message : 'Internal Server Error'
        if (!res.headersSent) sendJson(res, status, { code: status, message, ...(error instanceof HttpError && error.data !== undefined ? { data: error.data } : {}) })
        else res.destroy()
        if (status === 413) req.resume()
        return status
      })
      .then((status) => options.log?.(`${req.method ?? '?'} ${req.url ?? '?'} ${status} ${Date.now() - started}ms`))
      .catch(() => undefined)
  })

  return {
    server,
    state,
    spec,
    setBaseUrl(url: string) {
      baseUrl = url
    },
  }
}

function fieldError(errors: FieldError[]): HttpError {
  const first = errors[0]
  const summary = first ? `${first.path} ${first.message}` : 'invalid body'
  return new HttpError(400, `Invalid request parameters: ${summary}${errors.length > 1 ? ` (and ${errors.length - 1} more)` : ''}`, { errors })
}

/** Starts the simulator and resolves once it listens. */
export async function startMock(options: MockOptions = {}): Promise<MockServer> {
  const mock = createMock(options)
  const host = options.host ?? '127.0.0.1'
  await new Promise<void>((resolve, reject) => {
    mock.server.once('error', reject)
    mock.server.listen(options.port ?? 0, host, () => resolve())
  })
  const port = (mock.server.address() as AddressInfo).port
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`
  mock.setBaseUrl(url)
  return {
    url,
    port,
    state: mock.state,
    spec: mock.spec,
    close: () =>
      new Promise<void>((resolve, reject) => {
        mock.server.close((error) => (error ? reject(error) : resolve()))
        mock.server.closeAllConnections()
      }),
  }
}

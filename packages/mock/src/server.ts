// The simulator's HTTP server: node:http on 127.0.0.1, no framework.
import {
  createServer,
  STATUS_CODES,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type Server,
  type ServerResponse,
} from 'node:http'
import type { AddressInfo } from 'node:net'
import { Accounts, MAX_STAGED, POINTS_PER_USD, type Account, type AccountOptions } from './accounts.js'
import { breaksAnswer, checkRule, Faults, type Fault, type FaultRule } from './faults.js'
import { CONTENT_TYPES, renderFile, type FileKind } from './files/index.js'
import { materialize } from './output.js'
import { SpecIndex, type FieldError } from './spec.js'
import {
  endedAt,
  FAIL_MARKER,
  MockState,
  startedAt,
  statusOf,
  transitions,
  wantsFailure,
  type Latency,
  type MockStatus,
  type MockTask,
} from './state.js'
import { Webhooks, type WebhookOptions } from './webhooks.js'

export interface MockOptions {
  /** Port to listen on; 0 (default) picks a free one. */
  port?: number
  /** Host to bind; default 127.0.0.1. */
  host?: string
  /** How long tasks stay pending and processing: one value for all, or per family (`flux`, `kling`, ...). */
  latency?: Partial<Latency> & { byFamily?: Record<string, Partial<Latency>> }
  /** Accepted API keys (plus the keys of `accounts`). Default: any non-empty key. */
  keys?: string[]
  /** Credit balance and concurrency limit per API key; other keys get a large balance and no limit. */
  accounts?: Record<string, AccountOptions>
  /** Task webhook delivery: attempts and spacing of retries. */
  webhook?: WebhookOptions
  /** Faults active from the start (same as calling `faults.add` for each). */
  faults?: FaultRule[]
  /** Serve the `/__admin/*` routes (faults, state). Default true. */
  admin?: boolean
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
  /** Faults on demand: `faults.add({ route: 'GET /api/v1/task/:id', status: 503, times: 2 })`, `faults.clear()`. */
  faults: Faults
  /** Task webhook deliveries: `attempts` made so far, `idle()` resolves when none is pending. */
  webhooks: Webhooks
  /** Per-key accounts (balance, concurrency). */
  accounts: Accounts
  close(): Promise<void>
}

const DEFAULT_LATENCY: Latency = { pendingMs: 0, processingMs: 0 }

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly data?: unknown,
    readonly headers: OutgoingHttpHeaders = {},
  ) {
    super(message)
  }
}

interface Reply {
  status: number
  headers: OutgoingHttpHeaders
  body: Buffer
}

function json(status: number, body: unknown, headers: OutgoingHttpHeaders = {}): Reply {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    body: Buffer.from(JSON.stringify(body), 'utf8'),
  }
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

/** Reads and drops what is left of a request body (as a real server does before answering). */
function drain(req: IncomingMessage): Promise<void> {
  return new Promise((resolve) => {
    if (req.complete || req.readableEnded) return resolve()
    req.once('end', resolve)
    req.once('close', resolve)
    req.resume()
  })
}

async function readJson(req: IncomingMessage, limit: number): Promise<unknown> {
  const raw = await readBody(req, limit)
  try {
    return JSON.parse(raw.toString('utf8'))
  } catch {
    throw new HttpError(400, 'Invalid request parameters: the body is not valid JSON')
  }
}

function iso(ms: number): string {
  return new Date(ms).toISOString()
}

const ZERO_TIME = '0001-01-01T00:00:00Z'

/** GoAPI's internal model names (task history filter, active task groups) by family. */
const INTERNAL_MODEL: Record<string, string> = {
  midjourney: 'mj',
  suno: 'music-s',
  udio: 'music-u',
  ai_hug: 'hug_video',
}

function internalModel(task: MockTask): string {
  const family = task.entry?.family ?? task.model
  return INTERNAL_MODEL[family] ?? family
}

const HTML_PAGE = (status: number) =>
  `<html>\r\n<head><title>${status} ${STATUS_CODES[status] ?? 'Error'}</title></head>\r\n<body>\r\n<center><h1>${status} ${STATUS_CODES[status] ?? 'Error'}</h1></center>\r\n<hr><center>goapi-mock</center>\r\n</body>\r\n</html>\r\n`

/** Maps a path to its route pattern (`GET /api/v1/task/:id`) and captured parameters. */
function routeOf(method: string, path: string): { route: string; params: string[] } {
  let m: RegExpExecArray | null
  if ((m = /^\/files\/([^/]+)\/(\d+\.(?:png|wav|mp4|glb|txt))$/.exec(path)))
    return { route: `${method} /files/:task/:file`, params: [m[1] ?? '', m[2] ?? ''] }
  if ((m = /^\/api\/v1\/task\/([^/]+)$/.exec(path)))
    return { route: `${method} /api/v1/task/:id`, params: [decodeURIComponent(m[1] ?? '')] }
  return { route: `${method} ${path}`, params: [] }
}

export function createMock(options: MockOptions = {}) {
  const spec = options.spec ?? new SpecIndex()
  const state = new MockState(options.maxTasks ?? 10_000)
  const limit = options.maxBodyBytes ?? 16 * 1024 * 1024
  const keys = options.keys ? new Set([...options.keys, ...Object.keys(options.accounts ?? {})]) : undefined
  const accounts = new Accounts(options.accounts)
  const faults = new Faults()
  for (const rule of options.faults ?? []) faults.add(rule)
  const webhooks = new Webhooks(options.webhook)
  const delays = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>()
  let baseUrl = ''

  state.onEvict = (task) => accounts.of(task.apiKey).settle(task)

  const latencyFor = (family: string | undefined): Latency => ({
    ...DEFAULT_LATENCY,
    ...(options.latency?.pendingMs !== undefined ? { pendingMs: options.latency.pendingMs } : {}),
    ...(options.latency?.processingMs !== undefined ? { processingMs: options.latency.processingMs } : {}),
    ...(family ? options.latency?.byFamily?.[family] : undefined),
  })

  const progressOutput = (task: MockTask, now: number): Record<string, number> | null => {
    const props = task.entry
      ? (spec.doc.components.schemas[task.entry.output]?.properties as Record<string, unknown> | undefined)
      : undefined
    if (!props || !('progress' in props || 'task_progress' in props)) return null
    const pct =
      task.latency.processingMs > 0
        ? Math.min(99, Math.floor((100 * (now - startedAt(task))) / task.latency.processingMs))
        : 0
    return {
      ...('progress' in props ? { progress: pct } : {}),
      ...('task_progress' in props ? { task_progress: pct } : {}),
    }
  }

  const taskData = (task: MockTask, now: number) => {
    const status = statusOf(task, now)
    const started =
      (status === 'pending' || status === 'staged') && task.cancelledAt === undefined
        ? ZERO_TIME
        : iso(Math.min(startedAt(task), task.cancelledAt ?? Infinity))
    const ended = status === 'completed' || status === 'failed' ? iso(endedAt(task)) : ZERO_TIME
    let output: unknown = null
    if (status === 'completed' && task.entry)
      output = materialize(spec.example(task.entry.output), baseUrl, task.id).output
    if (status === 'processing') output = progressOutput(task, now)
    const error =
      status === 'failed'
        ? task.cancelledAt !== undefined
          ? { code: 10000, message: 'task canceled', raw_message: 'canceled by user', detail: null }
          : {
              code: task.failure?.code ?? 10000,
              message: task.failure?.message ?? 'task failed',
              raw_message: task.failure?.raw_message ?? '',
              detail: null,
            }
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

  const delivery = (task: MockTask, at: number) => ({ timestamp: Math.floor(at / 1000), data: taskData(task, at) })

  const authenticate = (req: IncomingMessage): string => {
    const key = req.headers['x-api-key']
    const value = Array.isArray(key) ? key[0] : key
    const bearer = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1]
    const apiKey = value ?? bearer
    if (!apiKey || !apiKey.trim() || (keys && !keys.has(apiKey)))
      throw new HttpError(401, 'Unauthorized: the API key is missing or incorrect')
    return apiKey
  }

  const createTask = async (req: IncomingMessage, apiKey: string, fault: Fault | undefined) => {
    const body = await readJson(req, limit)
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      throw new HttpError(400, 'Invalid request parameters: the body must be a JSON object')
    const { model, task_type: taskType, input } = body as Record<string, unknown>
    if (typeof model !== 'string') throw fieldError([{ path: 'model', message: 'is required and must be a string' }])
    if (typeof taskType !== 'string')
      throw fieldError([{ path: 'task_type', message: 'is required and must be a string' }])
    const entry = spec.task(model, taskType)
    if (!entry) {
      const types = spec.taskTypes(model)
      throw fieldError([
        types.length === 0
          ? { path: 'model', message: `unknown model "${model}"` }
          : {
              path: 'task_type',
              message: `model "${model}" has no task type "${taskType}" (it has: ${types.join(', ')})`,
            },
      ])
    }
    const errors = spec.check(entry.request, body)
    if (errors.length > 0) throw fieldError(errors)
    const now = Date.now()
    const account = accounts.of(apiKey)
    const credits = entry.kind === 'video' ? 2_000_000 : 150_000
    const remain = account.remain(now)
    if (remain < credits)
      throw new HttpError(
        402,
        `insufficient credits: the task needs ${credits} points, the account has ${Math.max(0, remain)} left`,
      )
    const latency = latencyFor(entry.family)
    const slot = account.nextStart(now)
    if (slot.at > now) {
      if (entry.family !== 'midjourney')
        throw new HttpError(
          429,
          `concurrent task limit reached: at most ${account.concurrency} tasks may be pending or processing at once`,
          undefined,
          { 'retry-after': String(Math.max(1, Math.ceil((slot.at - now) / 1000))) },
        )
      if (account.stagedCount(now) >= MAX_STAGED)
        throw new HttpError(429, `concurrent task limit reached and ${MAX_STAGED} Midjourney tasks are already staged`)
    }
    const config = ((body as Record<string, unknown>).config ?? {}) as {
      service_mode?: string
      webhook_config?: { endpoint?: string; secret?: string }
    }
    const failure = fault?.taskError
      ? {
          code: fault.taskError.code ?? 10000,
          message: fault.taskError.message ?? 'task failed',
          raw_message: fault.taskError.raw_message ?? 'simulated failure (fault)',
        }
      : wantsFailure(input)
        ? { code: 10000, message: 'generation failed', raw_message: `simulated failure requested with ${FAIL_MARKER}` }
        : undefined
    const task = state.add({
      apiKey,
      model,
      taskType,
      input: input as Record<string, unknown>,
      config: {
        service_mode: config.service_mode ?? '',
        webhook_config: {
          endpoint: config.webhook_config?.endpoint ?? '',
          secret: config.webhook_config?.secret ?? '',
        },
      },
      entry,
      createdAt: now,
      startAt: slot.at,
      latency,
      failure,
      credits,
    })
    account.occupy(task, slot.slot)
    webhooks.schedule(task, transitions(task), (at) => delivery(task, at))
    return task
  }

  const findTask = (id: string, apiKey: string): MockTask => {
    const task = state.get(id)
    if (!task || task.apiKey !== apiKey) throw new HttpError(404, `task ${id} not found`)
    return task
  }

  const cancel = (task: MockTask, now: number) => {
    task.cancelledAt = now
    accounts.of(task.apiKey).cancel(task)
    webhooks.interrupt(task, 'failed', delivery(task, now))
  }

  const ok = (data: unknown) => json(200, { code: 200, message: 'success', data })

  const accountInfo = (account: Account, now: number) => {
    const frozen = account.frozen(now)
    const remain = account.credits - account.used - frozen
    return {
      id: account.id,
      name: account.name,
      plan: 'mock',
      type: 'payg',
      equivalent_in_usd: Math.round((remain / POINTS_PER_USD) * 100) / 100,
      is_enable: true,
      is_verified: true,
      ...(Number.isFinite(account.concurrency) ? { max_concurrent_task_count: account.concurrency } : {}),
      wallet: {
        id: account.id,
        point_remain: remain,
        point_frozen: frozen,
        point_used: account.used,
        auto_recharge_enabled: false,
      },
    }
  }

  const activeTasks = (account: Account, now: number) => {
    const groups: Record<
      string,
      {
        active_tasks: Array<{ task_id: string; status: MockStatus; model: string; task_type: string }>
        pending_count: number
        processing_count: number
        staged_count: number
      }
    > = {}
    for (const task of account.active(now)) {
      const status = statusOf(task, now)
      const key = internalModel(task)
      const group = (groups[key] ??= { active_tasks: [], pending_count: 0, processing_count: 0, staged_count: 0 })
      group.active_tasks.push({ task_id: task.id, status, model: task.model, task_type: task.taskType })
      if (status === 'pending') group.pending_count++
      if (status === 'processing') group.processing_count++
      if (status === 'staged') group.staged_count++
    }
    return groups
  }

  const history = (url: URL, apiKey: string, account: Account, now: number) => {
    const int = (name: string, fallback: number | undefined, min: number, max: number): number | undefined => {
      const raw = url.searchParams.get(name)
      if (raw === null || raw === '') return fallback
      const n = Number(raw)
      if (!Number.isInteger(n) || n < min || n > max)
        throw fieldError([{ path: name, message: `must be an integer from ${min} to ${max}` }])
      return n
    }
    const page = int('page', 1, 1, Number.MAX_SAFE_INTEGER) ?? 1
    const size = int('page_size', 10, 1, 100) ?? 10
    const start = int('start_time', undefined, 0, Number.MAX_SAFE_INTEGER)
    const end = int('end_time', undefined, 0, Number.MAX_SAFE_INTEGER)
    const model = url.searchParams.get('model') || undefined
    const rows = [...state.tasks.values()]
      .filter((t) => t.apiKey === apiKey)
      .filter((t) => ['completed', 'failed'].includes(statusOf(t, now)))
      .filter((t) => !model || internalModel(t) === model)
      .filter(
        (t) => (start === undefined || t.createdAt >= start * 1000) && (end === undefined || t.createdAt < end * 1000),
      )
      .reverse()
    const records = rows.slice((page - 1) * size, page * size).map((t) => {
      const done = statusOf(t, now) === 'completed'
      return {
        id: t.seq ?? 0,
        account_id: account.id,
        api_key_id: account.id,
        task_id: t.id,
        action: t.taskType,
        task_model: internalModel(t),
        status: done ? 'finished' : 'failed',
        usage: done ? t.credits : 0,
        usage_type: 'point',
        service_mode: t.config.service_mode === 'private' ? 'private' : 'public',
        fixed: false,
        detail: { model: t.model, task_id: t.id, workflow_type: t.taskType },
        created_at: iso(t.createdAt),
        updated_at: iso(endedAt(t)),
      }
    })
    return { data: records, page, size, total: rows.length }
  }

  const adminState = (now: number) => {
    const byStatus: Record<string, number> = {}
    for (const task of state.tasks.values()) {
      const s = statusOf(task, now)
      byStatus[s] = (byStatus[s] ?? 0) + 1
    }
    return {
      tasks: state.tasks.size,
      created: state.created,
      byStatus,
      faults: faults.list(),
      accounts: accounts.list().map((a) => accountInfo(a, now)),
      webhooks: { attempts: webhooks.attempts.length, failed: webhooks.attempts.filter((a) => !a.ok).length },
    }
  }

  const admin = async (req: IncomingMessage, method: string, path: string): Promise<Reply | undefined> => {
    if (path === '/__admin/faults' && method === 'GET') return json(200, { faults: faults.list() })
    if (path === '/__admin/faults' && method === 'POST') {
      const body = await readJson(req, limit)
      const rules = Array.isArray(body) ? body : [body]
      const problems = rules.flatMap((r, i) =>
        checkRule(r).map((message) => ({ path: rules.length > 1 ? `[${i}]` : '(body)', message })),
      )
      if (problems.length > 0) throw fieldError(problems)
      const added = rules.map((r) => faults.add(r as FaultRule))
      return json(200, { faults: added })
    }
    if (path === '/__admin/faults' && method === 'DELETE') {
      faults.clear()
      return json(200, { faults: [] })
    }
    if (path === '/__admin/state' && method === 'GET') return json(200, adminState(Date.now()))
    return undefined
  }

  const handle = async (
    req: IncomingMessage,
    route: string,
    params: string[],
    url: URL,
    fault: Fault | undefined,
  ): Promise<Reply> => {
    const method = req.method ?? 'GET'
    const now = () => Date.now()
    switch (route) {
      case 'GET /files/:task/:file': {
        const task = state.get(params[0] ?? '')
        const name = params[1] ?? ''
        if (!task) throw new HttpError(404, 'file not found')
        const kind = name.slice(name.indexOf('.') + 1) as FileKind
        const bytes = renderFile(
          kind,
          `${task.model}|${task.taskType}|${JSON.stringify(task.input)}|${name.slice(0, name.indexOf('.'))}`,
        )
        return { status: 200, headers: { 'content-type': CONTENT_TYPES[kind] }, body: bytes }
      }
      case 'POST /api/v1/task': {
        const task = await createTask(req, authenticate(req), fault)
        return ok(taskData(task, now()))
      }
      case 'GET /api/v1/task/:id':
        return ok(taskData(findTask(params[0] ?? '', authenticate(req)), now()))
      case 'DELETE /api/v1/task/:id': {
        const task = findTask(params[0] ?? '', authenticate(req))
        const status = statusOf(task, now())
        if (status !== 'pending' && status !== 'staged')
          throw new HttpError(400, `task ${task.id} is not pending and cannot be canceled`)
        cancel(task, now())
        return json(200, { code: 200, message: `task ${task.id} canceled` })
      }
      case 'DELETE /api/v1/tasks': {
        const apiKey = authenticate(req)
        const before = Number(url.searchParams.get('created_before'))
        const model = url.searchParams.get('model')
        if (!url.searchParams.has('created_before') || !Number.isInteger(before))
          throw fieldError([{ path: 'created_before', message: 'is required and must be a Unix time in seconds' }])
        if (!model || !['kling', 'midjourney', 'suno', 'luma', 'all'].includes(model))
          throw fieldError([{ path: 'model', message: 'must be one of "kling", "midjourney", "suno", "luma", "all"' }])
        const at = now()
        let canceled = 0
        for (const task of state.tasks.values()) {
          if (task.apiKey !== apiKey || task.createdAt >= before * 1000 || (model !== 'all' && task.model !== model))
            continue
          const status = statusOf(task, at)
          if (status !== 'pending' && status !== 'staged') continue
          cancel(task, at)
          canceled++
        }
        return ok({ canceled })
      }
      case 'GET /account/info': {
        const apiKey = authenticate(req)
        return ok(accountInfo(accounts.of(apiKey), now()))
      }
      case 'GET /account/active_tasks': {
        const apiKey = authenticate(req)
        return ok(activeTasks(accounts.of(apiKey), now()))
      }
      case 'GET /api/open/tasks/histories': {
        const apiKey = authenticate(req)
        return ok(history(url, apiKey, accounts.of(apiKey), now()))
      }
    }
    if (route.endsWith(' /api/v1/task/:id') || (route.endsWith(' /api/v1/task') && method !== 'POST'))
      throw new HttpError(405, `method ${method} not allowed`)
    throw new HttpError(404, `no route ${method} ${url.pathname}`)
  }

  const errorReply = (error: unknown): Reply => {
    const status = error instanceof HttpError ? error.status : 500
    const message = error instanceof Error ? error.message : 'Internal Server Error'
    return json(
      status,
      {
        code: status,
        message,
        ...(error instanceof HttpError && error.data !== undefined ? { data: error.data } : {}),
      },
      error instanceof HttpError ? error.headers : {},
    )
  }

  const faultReply = (fault: Fault, real: Reply | undefined): Reply => {
    const headers: OutgoingHttpHeaders =
      fault.retryAfter !== undefined ? { 'retry-after': String(fault.retryAfter) } : {}
    if (fault.body === 'html') {
      const status = fault.status ?? 502
      return {
        status,
        headers: { ...headers, 'content-type': 'text/html; charset=utf-8' },
        body: Buffer.from(HTML_PAGE(status), 'utf8'),
      }
    }
    if (fault.body === 'non-json') {
      const status = fault.status ?? 503
      return {
        status,
        headers: { ...headers, 'content-type': 'text/plain; charset=utf-8' },
        body: Buffer.from(fault.message ?? `${STATUS_CODES[status] ?? 'Error'} (simulated)`, 'utf8'),
      }
    }
    const status = fault.status ?? (fault.retryAfter !== undefined ? 429 : (real?.status ?? 500))
    if (real && fault.status === undefined && fault.retryAfter === undefined)
      return { ...real, headers: { ...real.headers, ...headers } }
    return json(
      status,
      { code: status, message: fault.message ?? `${STATUS_CODES[status] ?? 'Error'} (simulated fault)` },
      headers,
    )
  }

  const delay = (ms: number) =>
    new Promise<void>((resolve) => {
      const entry = { timer: setTimeout(() => (delays.delete(entry), resolve()), ms), resolve }
      delays.add(entry)
    })

  const send = (req: IncomingMessage, res: ServerResponse, reply: Reply, truncate: boolean) => {
    if (res.destroyed) return
    res.writeHead(reply.status, { ...reply.headers, 'content-length': reply.body.length })
    if (!truncate) {
      res.end(reply.body)
      return
    }
    res.write(reply.body.subarray(0, Math.floor(reply.body.length / 2)), () => res.destroy())
    req.resume()
  }

  /** Sends the head and half the body now, the rest after `ms` (unless the client left meanwhile). */
  const sendSlowly = async (req: IncomingMessage, res: ServerResponse, reply: Reply, ms: number) => {
    if (res.destroyed) return
    const half = Math.floor(reply.body.length / 2)
    res.writeHead(reply.status, { ...reply.headers, 'content-length': reply.body.length })
    res.write(reply.body.subarray(0, half))
    req.resume()
    await delay(ms)
    if (!res.destroyed) res.end(reply.body.subarray(half))
  }

  const serve = async (req: IncomingMessage, res: ServerResponse): Promise<string> => {
    const url = new URL(req.url ?? '/', 'http://localhost')
    const method = req.method ?? 'GET'
    if (url.pathname.startsWith('/__admin/') && options.admin !== false) {
      const reply = await admin(req, method, url.pathname).catch(errorReply)
      send(req, res, reply ?? errorReply(new HttpError(404, `no route ${method} ${url.pathname}`)), false)
      return String((reply ?? { status: 404 }).status)
    }
    const { route, params } = routeOf(method, url.pathname)
    const fault = faults.take(route)
    if (fault?.delayMs) await delay(fault.delayMs)
    const breaks = fault !== undefined && breaksAnswer(fault)
    let real: Reply | undefined
    if (!breaks || fault.afterRecord || (fault.body === 'truncated' && method === 'GET'))
      real = await handle(req, route, params, url, fault).catch(errorReply)
    if (!breaks || !fault) {
      const reply = real ?? errorReply(new Error('no answer'))
      if (fault?.slowBodyMs === undefined) {
        send(req, res, reply, false)
        return String(reply.status)
      }
      await sendSlowly(req, res, reply, fault.slowBodyMs)
      return `${reply.status} slow body (fault ${fault.id})`
    }
    if (fault.reset) {
      req.resume()
      res.destroy()
      return `reset (fault ${fault.id})`
    }
    // Read the request before answering, so the connection stays usable for the next request.
    if (!real) await drain(req)
    const reply = faultReply(fault, real)
    if (fault.slowBodyMs !== undefined && fault.body !== 'truncated')
      await sendSlowly(req, res, reply, fault.slowBodyMs)
    else send(req, res, reply, fault.body === 'truncated')
    return `${reply.status}${fault.body ? ` ${fault.body}` : ''} (fault ${fault.id})`
  }

  const server: Server = createServer((req, res) => {
    const started = Date.now()
    serve(req, res)
      .catch((error: unknown) => {
        const reply = errorReply(error)
        if (!res.headersSent) send(req, res, reply, false)
        else res.destroy()
        if (reply.status === 413) req.resume()
        return String(reply.status)
      })
      .then((outcome) => options.log?.(`${req.method ?? '?'} ${req.url ?? '?'} ${outcome} ${Date.now() - started}ms`))
      .catch(() => undefined)
  })

  return {
    server,
    state,
    spec,
    faults,
    webhooks,
    accounts,
    setBaseUrl(url: string) {
      baseUrl = url
    },
    stop() {
      webhooks.close()
      for (const entry of delays) {
        clearTimeout(entry.timer)
        entry.resolve()
      }
      delays.clear()
    },
  }
}

function fieldError(errors: FieldError[]): HttpError {
  const first = errors[0]
  const summary = first ? `${first.path} ${first.message}` : 'invalid body'
  return new HttpError(
    400,
    `Invalid request parameters: ${summary}${errors.length > 1 ? ` (and ${errors.length - 1} more)` : ''}`,
    { errors },
  )
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
    faults: mock.faults,
    webhooks: mock.webhooks,
    accounts: mock.accounts,
    close: () =>
      new Promise<void>((resolve, reject) => {
        mock.stop()
        mock.server.close((error) => (error ? reject(error) : resolve()))
        mock.server.closeAllConnections()
      }),
  }
}

// The proxy: GoAPI's own task routes under the app's basePath, on Web Request/Response. The
// server's key stays here; before anything is billed a create passes the body cap, the
// allowlist, the spec's validation and the app's own `authorize` hook.
// (Not named proxy.ts: Turbopack, building examples/nextjs, would take src/proxy.ts for its proxy file.)
import {
  APIConnectionError,
  APIError,
  ConfigurationError,
  GoApiError,
  RateLimitError,
  TaskCreationUnknownError,
  TimeoutError,
  createClient,
  verifyWebhook,
  WebhookVerificationError,
  type ClientOptions,
  type GoApiClient,
  type Logger,
  type Model,
  type PollPolicy,
  type TaskConfig,
  type TaskTypeOf,
  type UntypedTask,
  type UntypedTaskRequest,
  type WebhookDedupeStore,
} from '@goapi/client'
import { TaskHub } from './events.js'
import { BodyTooLargeError, SSE_HEADERS, errorResponse, jsonResponse, publicTask, readLimited, scrub } from './http.js'
import { matchRoute, scrubStream, validateRouteBody, type ProxyRoute } from './routes.js'
import { validateCreate, type FieldError, type UnknownKeys } from './validate.js'

/** Every task type of every model the spec knows. */
export type AnyTaskType = Model extends infer M ? (M extends Model ? TaskTypeOf<M> : never) : never

/** What a browser asks the proxy to do, as the allowlist and the hooks see it. */
export type ProxyCall =
  | {
      action: 'create'
      model: string
      taskType: string
      /** The create body as it will be sent to GoAPI (the browser's `config` replaced by the proxy's). */
      body: Record<string, unknown>
    }
  | { action: 'get' | 'cancel' | 'events'; taskId: string }
  | {
      action: 'route'
      /** The opted-in route (its spec path template, e.g. `/v1/chat/completions`). */
      route: ProxyRoute
      method: string
      /** The path requested below `basePath`. */
      path: string
      /** The parsed JSON body (`undefined` for a route without one). */
      body: unknown
    }

/** An allowlist: create only these models (and, when given, task types); `cancel: false` refuses cancels. */
export interface AllowList {
  models: readonly Model[]
  taskTypes?: readonly AnyTaskType[]
  /** Whether browsers may cancel tasks. Default true. */
  cancel?: boolean
}

export type AllowFunction = (call: ProxyCall, request: Request) => boolean | Promise<boolean>

export interface WebhookSettings {
  /**
   * The public URL of the proxy's webhook route, `<your origin><basePath>/webhook`, which GoAPI
   * must be able to reach. Every task the proxy creates gets it as `config.webhook_config.endpoint`.
   */
  url: string
  /** The secret GoAPI sends back in `x-webhook-secret` (checked in constant time). */
  secret: string
  /** Where accepted deliveries are remembered to refuse replays (share one between processes). Default: in memory. */
  dedupe?: WebhookDedupeStore
  /** Largest delivery accepted, bytes. Default 1 MiB. */
  maxBodyBytes?: number
  /** Reads of a watched task while webhooks feed it, a safety net for lost deliveries, ms. Default 30 000. */
  pollMs?: number
  /** Called with each verified delivery (for example to record results). */
  onDelivery?: (task: UntypedTask) => void | Promise<void>
}

export interface EventsSettings {
  /** Most tasks watched at once (each has at most one poller). Default 1 000. */
  maxTasks?: number
  /** Most open event streams at once. Default 10 000. */
  maxListeners?: number
  /** A comment line every this many ms keeps idle connections open. Default 15 000. */
  keepAliveMs?: number
  /** Polling pace while no webhook feeds a task (defaults: the client's pace for the task's kind). */
  poll?: Partial<PollPolicy>
}

export interface ProxyOptions {
  /** The GoAPI key. It never leaves the server: not forwarded, not echoed, scrubbed from every answer. */
  apiKey: string | undefined
  /** Where the app mounts the proxy, e.g. `/api/goapi`. */
  basePath: string
  /** Which calls are allowed: an {@link AllowList}, or a function of the call and the request. */
  allow: AllowList | AllowFunction
  /**
   * The app's own check (session, per-user limits), run after the allowlist and the validation,
   * right before the call goes to GoAPI. Return a `Response` to refuse with it.
   */
  authorize?: (call: ProxyCall, request: Request) => void | Response | Promise<void | Response>
  /**
   * Special routes the app opts into, e.g. `[createChatCompletion]` from `@goapi/llm` (any
   * `{ method, path, auth, servers }`): served under `basePath` at their own path, JSON bodies
   * checked against the spec, answers (streams too) passed back with the key scrubbed.
   */
  routes?: readonly ProxyRoute[]
  /** Called after GoAPI created a task (for example to record who owns it). */
  onTaskCreated?: (task: UntypedTask, request: Request) => void | Promise<void>
  /** Called with every error of a call to GoAPI (already free of the key), for the app's logs. */
  onError?: (error: GoApiError, call: ProxyCall) => void
  /** The `config` of every created task (the browser's own `config` is dropped). */
  config?: Omit<TaskConfig, 'webhook_config'>
  /** Largest request body accepted, bytes (counted while it streams). Default 1 MiB. */
  maxBodyBytes?: number
  /**
   * Input keys the spec does not document. GoAPI accepts them, but a browser is untrusted and such a
   * key may change what a task costs, so the proxy answers 400 naming them (`'reject'`, the default);
   * `'forward'` sends them on as given.
   */
  unknownKeys?: UnknownKeys
  /** Deliver task updates by GoAPI webhooks to `<basePath>/webhook` instead of polling. */
  webhook?: WebhookSettings
  /** The events stream's bounds. */
  events?: EventsSettings
  /** As in `createClient`. */
  baseUrl?: ClientOptions['baseUrl']
  fetch?: ClientOptions['fetch']
  timeoutMs?: number
  maxRetries?: number
  logger?: Logger
}

/** A Web-standard handler (`export const POST = goapi; export const GET = goapi` in Next.js). */
export interface ProxyHandler {
  (request: Request): Promise<Response>
  /** The task watches behind the events streams (counts, for monitoring and tests). */
  readonly events: { readonly tasks: number; readonly listeners: number }
  /** Ends every events stream and poller. */
  close(): void
}

export const DEFAULT_PROXY_MAX_BODY_BYTES = 1024 * 1024
const TASK_ID = /^[A-Za-z0-9_-]{1,128}$/

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** A message from GoAPI, cut to one short line of printable text. */
function safeMessage(value: string | undefined, fallback: string): string {
  if (!value) return fallback
  // eslint-disable-next-line no-control-regex
  const text = value.replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]+/g, ' ').trim()
  return text ? text.slice(0, 300) : fallback
}

function allowListFunction(list: AllowList): AllowFunction {
  const models = new Set<string>(list.models)
  const taskTypes = list.taskTypes ? new Set<string>(list.taskTypes) : undefined
  return (call) => {
    if (call.action === 'create') return models.has(call.model) && (!taskTypes || taskTypes.has(call.taskType))
    if (call.action === 'cancel') return list.cancel !== false
    // A special route is allowed by being listed in `routes`.
    return true
  }
}

function fieldErrorResponse(errors: FieldError[], secrets: readonly string[]): Response {
  const first = errors[0]
  const summary = first ? `${first.path} ${first.message}` : 'invalid body'
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : ''
  return errorResponse(400, `Invalid request parameters: ${summary}${more}`, secrets, { errors })
}

/** Creates the proxy handler. Throws `ConfigurationError` on a missing key or a bad option. */
export function createProxy(options: ProxyOptions): ProxyHandler {
  if (!options.apiKey || !options.apiKey.trim())
    throw new ConfigurationError('createProxy: no GoAPI API key (pass { apiKey: process.env.GOAPI_API_KEY }).')
  const apiKey = options.apiKey
  const basePath = `/${options.basePath.replace(/^\/+|\/+$/g, '')}`.replace(/^\/$/, '')
  const webhook = options.webhook
  if (webhook) {
    if (!webhook.secret) throw new ConfigurationError('createProxy: webhook.secret is empty.')
    if (!/^https?:\/\//.test(webhook.url))
      throw new ConfigurationError('createProxy: webhook.url must be an http(s) URL.')
  }
  const secrets = [apiKey, ...(webhook ? [webhook.secret] : [])]
  const allow = typeof options.allow === 'function' ? options.allow : allowListFunction(options.allow)
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_PROXY_MAX_BODY_BYTES
  const keepAliveMs = options.events?.keepAliveMs ?? 15_000
  const client: GoApiClient = createClient({
    apiKey,
    baseUrl: options.baseUrl,
    fetch: options.fetch,
    timeoutMs: options.timeoutMs,
    maxRetries: options.maxRetries,
    logger: options.logger,
  })
  const hub = new TaskHub({
    get: (taskId, signal) => client.getTask(taskId, { signal }),
    maxTasks: options.events?.maxTasks ?? 1_000,
    maxListeners: options.events?.maxListeners ?? 10_000,
    webhookPollMs: webhook ? (webhook.pollMs ?? 30_000) : undefined,
    poll: options.events?.poll,
    maxFailures: 5,
  })
  const taskConfig = (): TaskConfig | undefined => {
    const config: TaskConfig = { ...options.config }
    if (webhook) config.webhook_config = { endpoint: webhook.url, secret: webhook.secret }
    return Object.keys(config).length ? config : undefined
  }

  /** GoAPI's failure as the browser may see it: status mapped, message short and scrubbed, body dropped. */
  function upstreamError(error: unknown, call: ProxyCall): Response {
    if (!(error instanceof GoApiError)) return errorResponse(500, 'Internal proxy error', secrets)
    options.onError?.(error, call)
    if (error instanceof TaskCreationUnknownError)
      return errorResponse(
        502,
        'GoAPI did not confirm the task: it may have been created. Do not resend it blindly.',
        secrets,
        { reason: error.reason },
      )
    if (error instanceof TimeoutError) return errorResponse(504, 'GoAPI did not answer in time', secrets)
    if (error instanceof APIConnectionError) return errorResponse(502, 'GoAPI could not be reached', secrets)
    if (error instanceof APIError) {
      const status = error.status
      // The key is the server's: a refusal of it is the server's problem, not the browser's.
      if (status === 401 || status === 403) return errorResponse(502, "GoAPI refused the proxy's API key", secrets)
      if (status === 429) {
        const retryAfterMs = error instanceof RateLimitError ? error.retryAfterMs : undefined
        const headers: Record<string, string> =
          retryAfterMs !== undefined ? { 'retry-after': String(Math.ceil(retryAfterMs / 1000)) } : {}
        return errorResponse(429, safeMessage(error.apiMessage, 'Too many requests'), secrets, null, headers)
      }
      if ([400, 402, 404, 409, 422].includes(status))
        return errorResponse(status, safeMessage(error.apiMessage, `GoAPI answered ${status}`), secrets)
      return errorResponse(502, `GoAPI answered ${status}`, secrets)
    }
    return errorResponse(502, 'GoAPI call failed', secrets)
  }

  async function gate(call: ProxyCall, request: Request): Promise<Response | undefined> {
    if (!(await allow(call, request)))
      return errorResponse(
        403,
        call.action === 'create'
          ? `This proxy does not allow ${JSON.stringify(call.model)} / ${JSON.stringify(call.taskType)}`
          : call.action === 'route'
            ? `This proxy does not allow ${call.method} ${call.path}`
            : `This proxy does not allow ${call.action}`,
        secrets,
      )
    return undefined
  }

  async function create(request: Request): Promise<Response> {
    if (!/^application\/json\b/i.test(request.headers.get('content-type') ?? ''))
      return errorResponse(415, 'Send the task as application/json', secrets)
    let text: string
    try {
      text = await readLimited(request, maxBodyBytes)
    } catch (error) {
      if (error instanceof BodyTooLargeError) return errorResponse(413, error.message, secrets)
      return errorResponse(400, 'Could not read the request body', secrets)
    }
    let parsed: unknown
    try {
      parsed = JSON.parse(text)
    } catch {
      return errorResponse(400, 'Invalid request parameters: the body is not valid JSON', secrets)
    }
    if (!isObject(parsed))
      return errorResponse(400, 'Invalid request parameters: the body must be a JSON object', secrets)
    const { model, task_type: taskType, config: _browserConfig, ...rest } = parsed
    if (typeof model !== 'string' || typeof taskType !== 'string')
      return fieldErrorResponse(
        [{ path: typeof model !== 'string' ? 'model' : 'task_type', message: 'is required and must be a string' }],
        secrets,
      )
    const config = taskConfig()
    const body: Record<string, unknown> = { model, task_type: taskType, ...rest, ...(config ? { config } : {}) }
    const call: ProxyCall = { action: 'create', model, taskType, body }
    const refused = await gate(call, request)
    if (refused) return refused
    const errors = validateCreate(body, options.unknownKeys)
    if (errors.length > 0) return fieldErrorResponse(errors, secrets)
    const denied = await options.authorize?.(call, request)
    if (denied) return denied
    let task: UntypedTask
    try {
      // Not tied to the browser's connection: once sent, the create finishes so `onTaskCreated` sees it.
      task = await client.createUntypedTask(body as unknown as UntypedTaskRequest)
    } catch (error) {
      return upstreamError(error, call)
    }
    const visible = publicTask(task)
    if (!visible) return errorResponse(502, 'GoAPI answered without a task', secrets)
    await options.onTaskCreated?.(task, request)
    return jsonResponse(200, { code: 200, message: 'success', data: visible }, secrets)
  }

  async function read(request: Request, action: 'get' | 'cancel', taskId: string): Promise<Response> {
    const call: ProxyCall = { action, taskId }
    const refused = (await gate(call, request)) ?? (await options.authorize?.(call, request))
    if (refused) return refused
    try {
      if (action === 'cancel') {
        const answer = await client.cancelTask(taskId, { signal: request.signal })
        return jsonResponse(200, isObject(answer) ? answer : { code: 200, message: 'success' }, secrets)
      }
      const visible = publicTask(await client.getTask(taskId, { signal: request.signal }))
      if (!visible) return errorResponse(502, 'GoAPI answered without a task', secrets)
      return jsonResponse(200, { code: 200, message: 'success', data: visible }, secrets)
    } catch (error) {
      return upstreamError(error, call)
    }
  }

  async function events(request: Request, taskId: string): Promise<Response> {
    const call: ProxyCall = { action: 'events', taskId }
    const refused = (await gate(call, request)) ?? (await options.authorize?.(call, request))
    if (refused) return refused
    const encoder = new TextEncoder()
    let cleanup = () => {}
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        let open = true
        const send = (text: string) => {
          if (!open) return
          try {
            controller.enqueue(encoder.encode(scrub(text, secrets)))
          } catch {
            cleanup()
          }
        }
        const close = () => {
          if (!open) return
          cleanup()
          try {
            controller.close()
          } catch {
            // already closed by the reader
          }
        }
        const sub = hub.subscribe(taskId, {
          update(task) {
            const visible = publicTask(task)
            if (visible) send(`event: task\ndata: ${JSON.stringify(visible)}\n\n`)
          },
          fail(status, message) {
            send(`event: error\ndata: ${JSON.stringify({ error: { status, message } })}\n\n`)
            close()
          },
          end() {
            send('event: end\ndata: {"end":true}\n\n')
            close()
          },
        })
        if (!sub.ok) {
          send(
            `event: error\ndata: ${JSON.stringify({ error: { status: 503, message: 'Too many task streams' } })}\n\n`,
          )
          open = false
          controller.close()
          return
        }
        if (!open) return
        const timer = setInterval(() => send(': keep-alive\n\n'), keepAliveMs)
        const onAbort = () => close()
        request.signal.addEventListener('abort', onAbort, { once: true })
        cleanup = () => {
          open = false
          clearInterval(timer)
          request.signal.removeEventListener('abort', onAbort)
          sub.unsubscribe()
        }
        send(': connected\n\n')
      },
      cancel() {
        cleanup()
      },
    })
    return new Response(stream, { status: 200, headers: SSE_HEADERS })
  }

  async function forward(request: Request, route: ProxyRoute, path: string, search: string): Promise<Response> {
    const method = request.method.toUpperCase()
    let body: unknown
    if (method !== 'GET' && method !== 'HEAD' && method !== 'DELETE') {
      if (!/^application\/json\b/i.test(request.headers.get('content-type') ?? ''))
        return errorResponse(415, 'Send the body as application/json', secrets)
      try {
        body = JSON.parse(await readLimited(request, maxBodyBytes))
      } catch (error) {
        if (error instanceof BodyTooLargeError) return errorResponse(413, error.message, secrets)
        return errorResponse(400, 'Invalid request parameters: the body is not valid JSON', secrets)
      }
    }
    const call: ProxyCall = { action: 'route', route, method, path, body }
    const refused = await gate(call, request)
    if (refused) return refused
    const errors = body === undefined ? [] : validateRouteBody(route, body)
    if (errors.length > 0) return fieldErrorResponse(errors, secrets)
    const denied = await options.authorize?.(call, request)
    if (denied) return denied
    const host = (route.servers[0] ?? client.baseUrl).replace(/\/+$/, '')
    const headers: Record<string, string> =
      route.auth === 'bearer' ? { authorization: `Bearer ${apiKey}` } : { 'x-api-key': apiKey }
    if (body !== undefined) headers['content-type'] = 'application/json'
    const accept = request.headers.get('accept')
    if (accept && /^[\w/+.*,;= -]{1,200}$/.test(accept)) headers.accept = accept
    let answer: Response
    try {
      answer = await (options.fetch ?? fetch)(`${host}${path}${search}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: request.signal,
        cache: 'no-store',
      })
    } catch {
      return errorResponse(502, 'GoAPI could not be reached', secrets)
    }
    if (!answer.ok) {
      const text = await answer.text().catch(() => '')
      let message: string | undefined
      try {
        const parsed = JSON.parse(text) as { message?: unknown; error?: { message?: unknown } }
        const m = parsed.message ?? parsed.error?.message
        message = typeof m === 'string' ? scrub(m, secrets) : undefined
      } catch {
        message = undefined
      }
      const status = answer.status === 401 || answer.status === 403 ? 502 : answer.status >= 500 ? 502 : answer.status
      return errorResponse(
        status,
        status === 502 && answer.status < 500
          ? "GoAPI refused the proxy's API key"
          : safeMessage(message, `GoAPI answered ${answer.status}`),
        secrets,
      )
    }
    const type = answer.headers.get('content-type')
    return new Response(answer.body ? scrubStream(answer.body, secrets) : null, {
      status: answer.status,
      headers: {
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
        ...(type && /^[\w.+-]+\/[\w.+-]+(;[\w =.+"-]*)*$/.test(type) ? { 'content-type': type } : {}),
      },
    })
  }

  async function receiveWebhook(request: Request, settings: WebhookSettings): Promise<Response> {
    try {
      const event = await verifyWebhook(request, {
        secret: settings.secret,
        maxBodyBytes: settings.maxBodyBytes,
        dedupe: settings.dedupe,
      })
      hub.feed(event.data)
      await settings.onDelivery?.(event.data)
      return new Response(null, { status: 204 })
    } catch (error) {
      if (error instanceof WebhookVerificationError) {
        const status =
          error.reason === 'too-large'
            ? 413
            : error.reason === 'replayed'
              ? 200
              : error.reason.endsWith('secret')
                ? 401
                : 400
        return errorResponse(status, error.message, secrets)
      }
      return errorResponse(500, 'Internal proxy error', secrets)
    }
  }

  const handler = async (request: Request): Promise<Response> => {
    const url = new URL(request.url)
    const path = url.pathname
    if (basePath && path !== basePath && !path.startsWith(`${basePath}/`))
      return errorResponse(404, 'Not found', secrets)
    const route = path.slice(basePath.length)
    const method = request.method.toUpperCase()
    const notAllowed = (allowed: string) =>
      errorResponse(405, `Method ${method} not allowed here`, secrets, null, { allow: allowed })
    if (route === '/api/v1/task') return method === 'POST' ? create(request) : notAllowed('POST')
    if (webhook && route === '/webhook')
      return method === 'POST' ? receiveWebhook(request, webhook) : notAllowed('POST')
    const match = /^\/api\/v1\/task\/([^/]+)(\/events)?$/.exec(route)
    if (match) {
      let taskId: string
      try {
        taskId = decodeURIComponent(match[1] ?? '')
      } catch {
        taskId = ''
      }
      if (!TASK_ID.test(taskId)) return errorResponse(400, 'Invalid task id', secrets)
      if (match[2]) return method === 'GET' ? events(request, taskId) : notAllowed('GET')
      if (method === 'GET') return read(request, 'get', taskId)
      if (method === 'DELETE') return read(request, 'cancel', taskId)
      return notAllowed('GET, DELETE')
    }
    const special = matchRoute(options.routes ?? [], method, route)
    if (special) return forward(request, special.route, special.upstreamPath, url.search)
    return errorResponse(404, 'Not found', secrets)
  }
  return Object.assign(handler, {
    events: {
      get tasks() {
        return hub.tasks
      },
      get listeners() {
        return hub.listeners
      },
    },
    close: () => hub.close(),
  })
}

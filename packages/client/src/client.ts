// The client core: configuration, the typed task routes and wait/run, on `fetch`.
import type {
  CompletedTask,
  InputOf,
  Model,
  Task,
  TaskConfig,
  TaskRequestOf,
  TaskTypeOf,
  UntypedTask,
  components,
  paths,
} from '@goapi/types'
import { AbortError, ConfigurationError, GoApiError } from './errors.js'
import { decide } from './internal/decide.js'
import { DEFAULT_MAX_JSON_BYTES, DEFAULT_MAX_JSON_DEPTH, guardedFetch } from './internal/guard.js'
import { connectionError, dataFromBody, errorFromResponse, provenPlain, tooDeep } from './internal/http.js'
import { makeLog, type LogLevel, type Logger } from './internal/logger.js'
import { Attempt, NetworkFailure, fetchFailure, type AttemptState } from './internal/request.js'
import { nestedDeeperThan, redact } from './internal/redact.js'
import { registerClient } from './internal/registry.js'
import { DEFAULT_RETRY_POLICY, backoffDelay, errorCodes, provablyNotSent, type RetryPolicy } from './internal/retry.js'
import { sleep } from './internal/sleep.js'
import { waitForTask, type TaskFeed, type WaitOptions } from './wait.js'

export const DEFAULT_BASE_URL = 'https://api.goapi.ai'
/** The documented GoAPI domains, tried in this order. */
export const DEFAULT_BASE_URLS: readonly string[] = ['https://api.goapi.ai', 'https://api.goapi.xyz']
export const DEFAULT_TIMEOUT_MS = 60_000

export interface ClientOptions {
  /** Your GoAPI key. Defaults to the `GOAPI_API_KEY` environment variable where there is one. */
  apiKey?: string
  /**
   * Base URL of the API, or a list tried in order (failover). Default: `https://api.goapi.ai`,
   * then `https://api.goapi.xyz`. A single URL disables failover.
   */
  baseUrl?: string | readonly string[]
  /** A custom `fetch` (for tests, proxies or frameworks). Default: the global `fetch`. */
  fetch?: typeof fetch
  /** Timeout of each HTTP request in ms. Default 60 000. */
  timeoutMs?: number
  /** Defaults for every `wait()`/`run()` of this client. */
  wait?: WaitOptions
  /** Retries of failed calls (see the README's retry policy). Default 2; 0 disables retries. */
  maxRetries?: number
  /** Backoff tuning of retries. */
  retry?: Partial<Omit<RetryPolicy, 'maxRetries'>>
  /** Receives log lines (retries, failovers, errors; requests at `debug`). The API key is redacted. `console` works. */
  logger?: Logger
  /** Lowest level passed to `logger`. Default `warn`. */
  logLevel?: LogLevel
  /**
   * Largest JSON (or text) answer read, in bytes: a larger Content-Length, or more bytes while
   * reading, ends the call with `ResponseTooLargeError`. Default 32 MiB. (Binary answers of route
   * functions have their own `maxBytes`, default 100 MiB.)
   */
  maxResponseBytes?: number
  /** Deepest nesting of a JSON answer accepted (deeper: `ResponseTooLargeError`). Default 128. */
  maxResponseDepth?: number
}

/**
 * Options of {@link createProxyClient}: a client of a `@goapi/server` proxy (for browsers). No API
 * key is held or sent. The proxy's key client does the retries, failover, logging and answer caps
 * against GoAPI, so this client makes one attempt per call and takes only a `fetch` and a
 * per-request `timeoutMs` (wait options are given per call).
 */
export interface ProxyClientOptions extends Pick<ClientOptions, 'fetch' | 'timeoutMs'> {
  /** The proxy's URL, e.g. `/api/goapi` (relative URLs work in browsers). */
  baseUrl: string
  /** A proxy client holds no key: the key stays on the server. */
  apiKey?: never
}

export interface RequestOptions {
  /** Aborts this call. */
  signal?: AbortSignal
  /** Overrides the client's per-request timeout (ms), per attempt. */
  timeoutMs?: number
  /** Overrides the client's `maxRetries` for this call (a proxy client makes one attempt). */
  maxRetries?: number
}

/** Options of `run()`: the request's and the wait's; `onProgress` receives a `T` (see {@link WaitOptions}). */
export type RunOptions<T = UntypedTask> = RequestOptions & WaitOptions<T>

/** A create-task body for a model or task type not in this SDK's spec yet. */
export interface UntypedTaskRequest {
  model: string
  task_type: string
  input: Record<string, unknown>
  config?: TaskConfig
}

export type CancelTasksModel = NonNullable<paths['/api/v1/tasks']['delete']['parameters']['query']>['model']
export type CancelTaskResponse = components['schemas']['CancelTaskResponse']
export type CancelTasksResponse = components['schemas']['CancelTasksResponse']

export interface GoApiClient {
  /** The first (preferred) base URL. */
  readonly baseUrl: string
  /** Every base URL, in failover order. */
  readonly baseUrls: readonly string[]
  /** The timeout of each request in ms (`timeoutMs` of {@link createClient}; default 60 000). */
  readonly timeoutMs: number
  /** Creates a task of a known (model, task type); resolves with the new task (usually `pending`). */
  createTask<M extends Model, T extends TaskTypeOf<M>>(
    request: TaskRequestOf<M, T>,
    options?: RequestOptions,
  ): Promise<Task<M, T>>
  /**
   * Escape hatch for models or task types GoAPI has but this SDK's spec does not yet:
   * the input is not checked and the output is `unknown`. Prefer {@link GoApiClient.createTask}.
   */
  createUntypedTask(request: UntypedTaskRequest, options?: RequestOptions): Promise<UntypedTask>
  /** Reads a task by id. Its output is `unknown`: narrow it with {@link isTaskOf}, or use `wait`/`run`. */
  getTask(taskId: string, options?: RequestOptions): Promise<UntypedTask>
  /** Cancels a task; only `pending` tasks can be cancelled. */
  cancelTask(taskId: string, options?: RequestOptions): Promise<CancelTaskResponse>
  /** Cancels every pending task of `model` created before `createdBefore`. */
  cancelTasks(
    params: { createdBefore: Date | number; model: CancelTasksModel },
    options?: RequestOptions,
  ): Promise<CancelTasksResponse>
  /** Polls a task until it completes (resolves) or fails (throws `TaskFailedError`). */
  wait<M extends Model, T extends TaskTypeOf<M>>(
    task: Task<M, T>,
    options?: WaitOptions<Task<M, T>>,
  ): Promise<CompletedTask<M, T>>
  wait(task: UntypedTask | string, options?: WaitOptions): Promise<UntypedTask>
  /** Creates a task and waits for it. */
  run<M extends Model, T extends TaskTypeOf<M>>(
    request: TaskRequestOf<M, T>,
    options?: RunOptions<Task<M, T>>,
  ): Promise<CompletedTask<M, T>>
}

function envApiKey(): string | undefined {
  const g = globalThis as { process?: { env?: Record<string, string | undefined> } }
  return g.process?.env?.GOAPI_API_KEY
}

/** Creates a GoAPI client. Throws `ConfigurationError` when no API key is given or found. */
export function createClient(options: ClientOptions = {}): GoApiClient {
  const givenKey = options.apiKey ?? envApiKey()
  if (!givenKey || !givenKey.trim()) {
    throw new ConfigurationError(
      'No GoAPI API key: pass createClient({ apiKey }) or set the GOAPI_API_KEY environment variable (or, for a @goapi/server proxy, createProxyClient({ baseUrl })).',
    )
  }
  const apiKey: string = givenKey ?? ''
  const given = options.baseUrl ?? DEFAULT_BASE_URLS
  const baseUrls = (typeof given === 'string' ? [given] : [...given]).map((u) => u.replace(/\/+$/, ''))
  const firstUrl = baseUrls[0]
  if (firstUrl === undefined) throw new ConfigurationError('baseUrl: give at least one URL.')
  const first: string = firstUrl
  const baseFetch = options.fetch ?? globalThis.fetch
  if (typeof baseFetch !== 'function')
    throw new ConfigurationError('No fetch: pass createClient({ fetch }) on runtimes without a global fetch.')
  const defaultTimeout = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
  const policy: RetryPolicy = {
    ...DEFAULT_RETRY_POLICY,
    ...options.retry,
    maxRetries: options.maxRetries ?? DEFAULT_RETRY_POLICY.maxRetries,
  }
  const log = makeLog(options.logger, options.logLevel ?? 'warn', apiKey)
  const maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_JSON_BYTES
  const maxResponseDepth = options.maxResponseDepth ?? DEFAULT_MAX_JSON_DEPTH
  // Every request goes through the guard: no redirect is followed to another origin or for a
  // POST, and no answer is read past `maxResponseBytes`.
  const guarded = guardedFetch(baseFetch, { apiKey, maxBytes: maxResponseBytes })

  /** Index of the base URL to use next; moves on when a host fails in a way failover can help with. */
  let preferred = 0

  /** `plain`: the body's text passed `provenPlain`, so `pick` may skip the walks over it. */
  type Result = { data?: unknown; error?: unknown; response: Response; plain?: boolean }
  type Method = 'GET' | 'POST' | 'DELETE'
  interface CallSpec<R> {
    method: Method
    what: string
    taskId: string | undefined
    /** The route of `paths` (for openapi-fetch) and its parameters. */
    route: '/api/v1/task' | '/api/v1/task/{task_id}' | '/api/v1/tasks'
    params?: { path?: { task_id: string }; query?: Record<string, string | number> }
    body?: components['schemas']['CreateTaskRequest']
    pick: (response: Response, body: unknown, plain: boolean) => R
  }

  /** Sends one call: `fetch(url, init)` with a JSON string body, parsed as openapi-fetch would. */
  async function send(spec: CallSpec<unknown>, baseUrl: string, current: Attempt): Promise<Result> {
    const taskId = spec.params?.path?.task_id
    let url =
      baseUrl + (taskId === undefined ? spec.route : spec.route.replace('{task_id}', encodeURIComponent(taskId)))
    const query = spec.params?.query
    if (query)
      url += `?${Object.entries(query)
        .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
        .join('&')}`
    const headers: Record<string, string> = { 'x-api-key': apiKey }
    const init: RequestInit = { method: spec.method, headers, redirect: 'manual', signal: current.signal }
    if (spec.body !== undefined) {
      headers['content-type'] = 'application/json'
      init.body = JSON.stringify(spec.body)
    }
    if (spec.method === 'GET') init.cache = 'no-store'
    let response: Response
    try {
      response = await guarded(url, init)
    } catch (error) {
      throw fetchFailure(error, current)
    }
    current.responded = true
    current.status = response.status
    // The guard passes a body within its declared Content-Length as it is (read by fetch's own
    // `text()`), and caps any other while it streams.
    const text = await response.text()
    if (response.ok) {
      if (text === '') return { data: undefined, response }
      return { data: JSON.parse(text), response, plain: provenPlain(text, apiKey, maxResponseDepth) }
    }
    let error: unknown = text === '' ? undefined : text
    try {
      if (text !== '') error = JSON.parse(text)
    } catch {
      // not JSON: the text is the error body
    }
    return { error, response }
  }

  /** What a failure of `send` means, once it is known the attempt was not aborted. */
  function sendError(error: unknown, state: AttemptState, taskId: string | undefined): unknown {
    if (error instanceof NetworkFailure) {
      const codes = errorCodes(error.original)
      return connectionError(error.original, apiKey, {
        causeCode: codes[codes.length - 1],
        mayHaveReachedServer: !provablyNotSent(codes),
      })
    }
    if (state.responded && error instanceof SyntaxError) {
      return errorFromResponse(
        new Response(null, { status: 502, statusText: `Invalid JSON from GoAPI (HTTP ${state.status ?? '?'})` }),
        undefined,
        apiKey,
        taskId,
      )
    }
    if (state.responded && error instanceof TypeError) {
      const codes = errorCodes(error)
      return connectionError(error, apiKey, {
        causeCode: codes[codes.length - 1],
        mayHaveReachedServer: true,
        midBody: true,
      })
    }
    return error
  }

  /** One HTTP exchange against one host, with every failure turned into a typed error. */
  async function attempt<R>(spec: CallSpec<R>, baseUrl: string, opts: RequestOptions | undefined): Promise<R> {
    const current = new Attempt(opts?.timeoutMs ?? defaultTimeout, opts?.signal)
    let result: Result
    try {
      result = await current.race(send(spec, baseUrl, current))
    } catch (error) {
      // Aborted (timeout or the caller's signal): `failure` says which, with the original error as cause.
      if (current.signal.aborted)
        throw current.failure(error instanceof NetworkFailure ? error.original : error, spec.what)
      throw sendError(error, current, spec.taskId)
    } finally {
      current.end()
    }
    if (!result.response.ok)
      throw errorFromResponse(result.response, result.error, apiKey, spec.taskId, maxResponseDepth)
    return spec.pick(result.response, result.data, result.plain === true)
  }

  async function call<R>(spec: CallSpec<R>, opts: RequestOptions | undefined): Promise<R> {
    const maxRetries = Math.max(0, opts?.maxRetries ?? policy.maxRetries)
    /** The hosts that failed in this call (made at the first failure). */
    let tried: Set<number> | undefined
    for (let retry = 0; ; retry++) {
      const host = preferred % baseUrls.length
      const baseUrl = baseUrls[host] ?? first
      const started = log.debug ? Date.now() : 0
      try {
        const value = await attempt(spec, baseUrl, opts)
        if (log.debug) log('debug', `${spec.method} ${spec.what} on ${baseUrl}: ok in ${Date.now() - started} ms`)
        return value
      } catch (error) {
        tried ??= new Set()
        tried.add(host)
        const decision = decide(error, spec.method)
        if (!decision) {
          if (error instanceof GoApiError && !(error instanceof AbortError))
            log('error', `${spec.method} ${spec.what} failed: ${error.message}`, { status: error.status })
          throw error
        }
        const canRetry = decision.retry && retry < maxRetries && !opts?.signal?.aborted
        let next = host
        if (decision.failover && baseUrls.length > 1) {
          next = (host + 1) % baseUrls.length
          preferred = next
        }
        if (!canRetry) {
          log('error', `${spec.method} ${spec.what} failed: ${decision.error.message}`, {
            status: decision.error.status,
            attempts: retry + 1,
          })
          throw decision.error
        }
        if (decision.retryAfterMs !== undefined && decision.retryAfterMs > policy.maxRetryAfterMs) {
          log('error', `${spec.what}: Retry-After of ${decision.retryAfterMs} ms exceeds maxRetryAfterMs; giving up`)
          throw decision.error
        }
        // Retry-After is a minimum: never sooner than it, nor than the backoff (a `0` cannot make a hot loop).
        const backoff = backoffDelay(policy, retry)
        const delay = next !== host && !tried.has(next) ? 0 : Math.max(decision.retryAfterMs ?? 0, backoff)
        log(
          'warn',
          `${spec.method} ${spec.what} failed on ${baseUrl} (${decision.error.message}); retry ${retry + 1}/${maxRetries}${next !== host ? ` on ${baseUrls[next]}` : ''} in ${delay} ms`,
        )
        await sleep(delay, opts?.signal)
      }
    }
  }

  const asTask = (response: Response, body: unknown, plain: boolean) =>
    dataFromBody(response, body, apiKey, 'a task', maxResponseDepth, plain) as UntypedTask
  /** A non-envelope answer, checked for depth and scrubbed of the key like every other. */
  const checked = (response: Response, body: unknown) => {
    if (nestedDeeperThan(body, maxResponseDepth)) throw tooDeep(response.status, maxResponseDepth)
    return redact(body, apiKey)
  }
  const create = (request: unknown, opts: RequestOptions | undefined) =>
    call<UntypedTask>(
      {
        method: 'POST',
        what: 'create task',
        taskId: undefined,
        route: '/api/v1/task',
        body: request as components['schemas']['CreateTaskRequest'],
        pick: asTask,
      },
      opts,
    )

  const client: GoApiClient = {
    baseUrl: first,
    baseUrls,
    timeoutMs: defaultTimeout,
    createTask(request, opts) {
      return create(request, opts) as Promise<never>
    },
    createUntypedTask(request, opts) {
      return create(request, opts)
    },
    getTask(taskId, opts) {
      return call(
        {
          method: 'GET',
          what: 'get task',
          taskId,
          route: '/api/v1/task/{task_id}',
          params: { path: { task_id: taskId } },
          pick: asTask,
        },
        opts,
      )
    },
    cancelTask(taskId, opts) {
      return call(
        {
          method: 'DELETE',
          what: 'cancel task',
          taskId,
          route: '/api/v1/task/{task_id}',
          params: { path: { task_id: taskId } },
          pick: (r, body) => checked(r, body) as CancelTaskResponse,
        },
        opts,
      )
    },
    cancelTasks({ createdBefore, model }, opts) {
      const created_before =
        typeof createdBefore === 'number' ? Math.floor(createdBefore) : Math.floor(createdBefore.getTime() / 1000)
      return call(
        {
          method: 'DELETE',
          what: 'cancel tasks',
          taskId: undefined,
          route: '/api/v1/tasks',
          params: { query: { created_before, model } },
          pick: (r, body) => (checked(r, body) ?? {}) as CancelTasksResponse,
        },
        opts,
      )
    },
    // `onProgress` is typed per overload (`Task<M, T>` for a typed task); at run time it receives
    // the same task objects this method resolves with, so it is called as the untyped callback.
    wait(task: UntypedTask | string, waitOptions?: WaitOptions<never>) {
      const merged: WaitOptions = {
        ...options.wait,
        ...(waitOptions as WaitOptions | undefined),
        poll: { ...options.wait?.poll, ...waitOptions?.poll },
      }
      return waitForTask(
        {
          // Each poll is one attempt (the wait loop itself retries transient failures, and a failed
          // host is left for the next one), bounded by what is left of the deadline.
          get: (id, signal, remainingMs) =>
            client.getTask(id, {
              signal,
              maxRetries: 0,
              timeoutMs: Math.max(1, Math.min(defaultTimeout, remainingMs)),
            }),
          cancel: (id) => client.cancelTask(id, { timeoutMs: Math.min(defaultTimeout, 10_000) }),
          log,
        },
        task,
        merged,
      ) as Promise<never>
    },
    async run(request, runOptions) {
      const task = await client.createTask(request, runOptions)
      return client.wait(task, runOptions)
    },
  }
  registerClient(client, { apiKey, fetch: baseFetch, maxResponseBytes, maxResponseDepth })
  return client
}

/** Narrows an untyped task to a known (model, task type), so its `output` gets its type. */
export function isTaskOf<M extends Model, T extends TaskTypeOf<M>>(
  task: UntypedTask,
  model: M,
  taskType: T,
): task is UntypedTask & Task<M, T> {
  return task.model === model && task.task_type === taskType
}

export type { InputOf }

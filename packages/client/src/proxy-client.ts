// The client of a @goapi/server proxy, for browsers: the same `GoApiClient`, with no key and
// composed small. The proxy is the page's own server, which also serves the page's code, and its
// key client does the work against GoAPI: failover, retries, redaction, the answer caps and the
// ETA polling. This one keeps what the page needs: typed errors, timeouts and aborts, the
// unknown-outcome rule of creates, and a wait() on the proxy's events stream (SECURITY.md).
import type { UntypedTask } from '@goapi/types'
import {
  DEFAULT_TIMEOUT_MS,
  type CancelTaskResponse,
  type GoApiClient,
  type ProxyClientOptions,
  type RequestOptions,
} from './client.js'
import {
  APIConnectionError,
  APIError,
  AbortError,
  ConfigurationError,
  GoApiError,
  TaskFailedError,
  TimeoutError,
} from './errors.js'
import { unknownCreation } from './internal/decide.js'
import { DEFAULT_MAX_JSON_BYTES, DEFAULT_MAX_JSON_DEPTH } from './internal/guard.js'
import { envelopeData, typedError } from './internal/http.js'
import { registerClient } from './internal/registry.js'
import { Attempt } from './internal/request.js'
import { sleep } from './internal/sleep.js'
import { taskState } from './internal/status.js'
import { textLines } from './sse.js'
import {
  DEFAULT_WAIT_TIMEOUT_MS,
  fingerprint,
  isTransient,
  pollDelay,
  type PollPolicy,
  type WaitOptions,
} from './wait.js'

/** The backoff before an events stream is opened again (`poll` overrides it): 1 s, doubling to 10 s, ±20%. */
export const RECONNECT: PollPolicy = { initialDelayMs: 1_000, maxDelayMs: 10_000, factor: 2, jitter: 0.2 }

/**
 * Creates a client of a `@goapi/server` proxy (for browsers): it holds and sends no API key (not
 * even `GOAPI_API_KEY`). Throws `ConfigurationError` for a key, a missing `baseUrl` or one of
 * GoAPI's own hosts (which need a key). A separate factory, so a key client's bundle carries none
 * of this and a page's carries none of the key client.
 */
export function createProxyClient(options: ProxyClientOptions): GoApiClient {
  if ((options as { apiKey?: unknown }).apiKey !== undefined)
    throw new ConfigurationError('A proxy client holds no key: keep it on the server.')
  const url = typeof options.baseUrl === 'string' ? options.baseUrl : ''
  if (!url) throw new ConfigurationError("A proxy client needs the proxy's baseUrl.")
  if (/^(https?:)?\/\/([^/?#]*\.)?goapi\.(ai|xyz)([:/?#]|$)/i.test(url))
    throw new ConfigurationError(`A proxy client is for a proxy, not GoAPI itself (${url}).`)
  const baseUrl = url.replace(/\/+$/, '')
  const baseFetch = options.fetch ?? globalThis.fetch
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS

  /**
   * One exchange, read by `read` within the attempt's time: a typed error for any failure, and for
   * a create whose outcome is unknown a `TaskCreationUnknownError`. One attempt: the proxy's key
   * client retries against GoAPI.
   */
  async function send<T>(
    path: string,
    opts: RequestOptions | undefined,
    init: RequestInit,
    read: (response: Response) => Promise<T>,
  ): Promise<T> {
    const attempt = new Attempt(opts?.timeoutMs ?? timeoutMs, opts?.signal)
    let status: number | undefined
    try {
      return await attempt.race(
        baseFetch(baseUrl + path, { ...init, cache: 'no-store', redirect: 'error', signal: attempt.signal }).then(
          (response) => {
            status = response.status
            return read(response)
          },
        ),
      )
    } catch (error) {
      const typed = attempt.signal.aborted
        ? attempt.failure(error, `${init.method ?? 'GET'} ${path}`)
        : error instanceof GoApiError
          ? error
          : error instanceof SyntaxError
            ? new APIError(`Invalid JSON from the proxy (HTTP ${status})`, { status: status ?? 0 })
            : new APIConnectionError(
                `${status === undefined ? 'Could not reach the proxy' : 'The connection to the proxy broke'}: ${String(error)}`,
                { cause: error },
              )
      throw (init.method === 'POST' && unknownCreation(typed)) || typed
    } finally {
      attempt.stop(undefined)
      attempt.end()
    }
  }

  /** A JSON answer: its value (the envelope's `data` with `task`), or the typed error of its status. */
  const json = async (response: Response, task?: boolean) => {
    const text = await response.text()
    let value: unknown = text
    try {
      value = text ? JSON.parse(text) : undefined
    } catch (error) {
      if (response.ok) throw error
    }
    if (!response.ok) throw typedError(response, value)
    return task ? envelopeData(response, value) : value
  }
  const call = (method: string, path: string, opts?: RequestOptions, body?: unknown, task?: boolean) =>
    send(
      path,
      opts,
      body === undefined
        ? { method }
        : { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) },
      (response) => json(response, task),
    )
  const taskPath = (id: string) => `/api/v1/task/${encodeURIComponent(id)}`
  const create = (request: unknown, opts?: RequestOptions) =>
    call('POST', '/api/v1/task', opts, request, true) as Promise<UntypedTask>

  /**
   * wait(): the events stream of the task until it ends, renewed after each `timeoutMs` of the
   * client (60 s by default), so a stream that stalls silently costs no more than that.
   * When there is no stream (refused, not served) or it ends or breaks, one GET of the task tells
   * its state, and the stream is opened again after the backoff of `poll`. One deadline for all.
   * No ETA schedule (`duration`, `durations`), `feed` or `clock`: the proxy's key client polls
   * GoAPI (or takes its webhooks) once for every listener of the task.
   */
  async function wait(first: UntypedTask | string, options: WaitOptions): Promise<UntypedTask> {
    const taskId = typeof first === 'string' ? first : first.task_id
    const signal = options.signal
    const waitMs = options.timeoutMs ?? DEFAULT_WAIT_TIMEOUT_MS
    const deadline = Date.now() + waitMs
    const policy = { ...RECONNECT, ...options.poll }
    let last: UntypedTask | undefined
    let seen = ''
    /** Whether `task` ended the wait (completed); throws `TaskFailedError` for a failed one. */
    const see = (task: UntypedTask): boolean => {
      last = task
      const print = fingerprint(task)
      if (print !== seen) {
        seen = print
        options.onProgress?.(task)
      }
      const state = taskState(task.status)
      if (state === 'failed') throw new TaskFailedError(task)
      return state === 'completed'
    }
    /** The stream's tasks until one ends the wait; an answer that is not a stream is no stream. */
    const events = async (response: Response) => {
      if (!/^text\/event-stream/i.test(response.headers.get('content-type') ?? ''))
        return void (await response.body?.cancel())
      // The proxy writes each task as one `data:` line (JSON has no raw line ends).
      for await (const line of textLines(response.body as ReadableStream<Uint8Array>)) {
        let value: { task_id?: unknown } | undefined
        try {
          value = line.startsWith('data:') ? JSON.parse(line.slice(5)) : undefined
        } catch {
          continue
        }
        if (value?.task_id === taskId && see(value as UntypedTask)) return value as UntypedTask
      }
    }
    if (typeof first !== 'string' && see(first)) return first
    for (let attempt = 0; ; attempt++) {
      const left = deadline - Date.now()
      if (left <= 0) {
        if (options.cancelOnTimeout) await client.cancelTask(taskId, { timeoutMs: 10_000 }).catch(() => undefined)
        throw new TimeoutError(
          `Gave up waiting for task ${taskId} after ${waitMs} ms (last status: ${last?.status || 'unknown'}); it keeps running on GoAPI.`,
          { taskId, task: last },
        )
      }
      let pause = 0
      try {
        // The task once it ended; `null` when followed for its whole time (renewed at once).
        const done = await send(
          `${taskPath(taskId)}/events`,
          { signal, timeoutMs: Math.min(left, timeoutMs) },
          { headers: { accept: 'text/event-stream' } },
          events,
        ).catch((error: unknown) => {
          if (error instanceof TaskFailedError || error instanceof AbortError) throw error
          return error instanceof TimeoutError ? null : undefined
        })
        if (done) return done
        if (done === null) continue
        const task = await client.getTask(taskId, {
          signal,
          timeoutMs: Math.max(1, Math.min(timeoutMs, deadline - Date.now())),
        })
        if (see(task)) return task
      } catch (error) {
        // A failure asking again cannot fix (a refusal, a missing task, an abort) ends the wait.
        if (!isTransient(error)) throw error
        pause = (error as APIError).retryAfterMs ?? 0
      }
      await sleep(Math.min(Math.max(pause, pollDelay(policy, attempt)), Math.max(0, deadline - Date.now())), signal)
    }
  }

  const client: GoApiClient = {
    baseUrl,
    baseUrls: [baseUrl],
    timeoutMs,
    createTask: create as GoApiClient['createTask'],
    createUntypedTask: create,
    getTask: (id, opts) => call('GET', taskPath(id), opts, undefined, true) as Promise<UntypedTask>,
    cancelTask: (id, opts) => call('DELETE', taskPath(id), opts) as Promise<CancelTaskResponse>,
    // Not served by a proxy: it would cancel the tasks of every user of the server's key.
    cancelTasks: async () => {
      throw new ConfigurationError('cancelTasks is not served through a proxy: call it on the server.')
    },
    // `onProgress` is typed per overload; at run time it receives the tasks this method resolves with.
    wait: (first: UntypedTask | string, given?: WaitOptions<never>) =>
      wait(first, (given ?? {}) as WaitOptions) as Promise<never>,
    run: async (request, given) => wait(await create(request, given), (given ?? {}) as WaitOptions) as Promise<never>,
  }
  // For route functions (`@goapi/llm`, ...), which read their answers under the default caps.
  registerClient(client, {
    apiKey: '',
    fetch: baseFetch,
    maxResponseBytes: DEFAULT_MAX_JSON_BYTES,
    maxResponseDepth: DEFAULT_MAX_JSON_DEPTH,
  })
  return client
}

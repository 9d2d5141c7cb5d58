// wait() against a @goapi/server proxy: follow the proxy's server-sent events for the task
// instead of polling, and fall back to polling when the stream is unavailable or breaks.
import type { UntypedTask } from '@goapi/types'
import { makeClient, type GoApiClient, type ProxyClientOptions } from './client.js'
import { ConfigurationError, TaskFailedError } from './errors.js'
import { nestedDeeperThan } from './internal/redact.js'
import { abortError } from './internal/sleep.js'
import { taskState } from './internal/status.js'
import { sseData } from './sse.js'
import { DEFAULT_WAIT_TIMEOUT_MS, fingerprint, type WaitOptions } from './wait.js'

/** Polls from the last task seen, with these options (the client's `waitForTask`). */
export type PollFallback = (from: UntypedTask | string, options: WaitOptions) => Promise<UntypedTask>

function isTask(value: unknown): value is UntypedTask {
  return typeof value === 'object' && value !== null && typeof (value as { task_id?: unknown }).task_id === 'string'
}

/**
 * Creates a client of a `@goapi/server` proxy (for browsers): it holds and sends no API key (not
 * even `GOAPI_API_KEY`), and its `wait()` follows the proxy's events stream, falling back to
 * polling the proxy. Throws `ConfigurationError` for a key, a missing `baseUrl` or one of GoAPI's
 * own hosts (which need a key). A separate factory, so key clients never bundle the events wait.
 */
export function createProxyClient(options: ProxyClientOptions): GoApiClient {
  if ((options as { apiKey?: unknown }).apiKey !== undefined)
    throw new ConfigurationError('A proxy client holds no API key: keep the key on the server (createProxy).')
  const url = typeof options.baseUrl === 'string' ? options.baseUrl : ''
  if (!url) throw new ConfigurationError("createProxyClient needs the proxy's baseUrl, e.g. '/api/goapi'.")
  if (/^(https?:)?\/\/([^/?#]*\.)?goapi\.(ai|xyz)(:\d+)?([/?#]|$)/i.test(url))
    throw new ConfigurationError(
      `createProxyClient is for a @goapi/server proxy, not GoAPI itself (${url}): GoAPI needs an API key.`,
    )
  return makeClient(options, waitViaEvents)
}

/**
 * Waits for a task through `<baseUrl>/api/v1/task/{id}/events`, read with `fetchFn` (the client's
 * guarded `fetch`: redirect rules and answer cap); an event nested deeper than `maxDepth` ends the
 * stream like a break (polling takes over).
 */
export async function waitViaEvents(
  baseUrl: string,
  fetchFn: typeof fetch,
  first: UntypedTask | string,
  options: WaitOptions,
  poll: PollFallback,
  maxDepth: number,
): Promise<UntypedTask> {
  const taskId = typeof first === 'string' ? first : first.task_id
  const deadline = Date.now() + (options.timeoutMs ?? DEFAULT_WAIT_TIMEOUT_MS)
  let last: UntypedTask | undefined = typeof first === 'string' ? undefined : first
  let seen = ''
  const report = (task: UntypedTask) => {
    const print = fingerprint(task)
    if (print !== seen) {
      seen = print
      options.onProgress?.(task)
    }
  }
  const fallback = () =>
    poll(last ?? taskId, { ...options, onProgress: report, timeoutMs: Math.max(0, deadline - Date.now()) })
  if (last) {
    report(last)
    const state = taskState(last.status)
    if (state === 'completed' || state === 'failed') return fallback()
  }
  const streamed = await follow(baseUrl, fetchFn, taskId, deadline, options.signal, maxDepth, (task) => {
    last = task
    report(task)
  })
  if (streamed) return streamed
  return fallback()
}

/**
 * Follows the events stream until the task ends: resolves with the completed task, throws
 * `TaskFailedError` for a failed one, and resolves `undefined` when polling must take over
 * (no stream, a broken stream, the deadline). Throws `AbortError` when `signal` aborts.
 */
async function follow(
  baseUrl: string,
  fetchFn: typeof fetch,
  taskId: string,
  deadline: number,
  signal: AbortSignal | undefined,
  maxDepth: number,
  onTask: (task: UntypedTask) => void,
): Promise<UntypedTask | undefined> {
  const stop = new AbortController()
  const onAbort = () => stop.abort()
  signal?.addEventListener('abort', onAbort, { once: true })
  const timer = setTimeout(onAbort, Math.max(0, deadline - Date.now()))
  try {
    const response = await fetchFn(`${baseUrl}/api/v1/task/${encodeURIComponent(taskId)}/events`, {
      headers: { accept: 'text/event-stream' },
      cache: 'no-store',
      signal: stop.signal,
    })
    if (!response.ok || !response.body || !/^text\/event-stream/i.test(response.headers.get('content-type') ?? '')) {
      await response.body?.cancel().catch(() => undefined)
      return undefined
    }
    for await (const data of sseData(response.body)) {
      let value: unknown
      try {
        value = JSON.parse(data)
      } catch {
        continue
      }
      if (!isTask(value) || value.task_id !== taskId) continue
      if (nestedDeeperThan(value, maxDepth)) return undefined
      onTask(value)
      const state = taskState(value.status)
      if (state === 'completed') return value
      if (state === 'failed') throw new TaskFailedError(value)
    }
    return undefined
  } catch (error) {
    if (error instanceof TaskFailedError) throw error
    if (signal?.aborted) throw abortError(signal)
    return undefined
  } finally {
    clearTimeout(timer)
    signal?.removeEventListener('abort', onAbort)
  }
}

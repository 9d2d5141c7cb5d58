// wait() against a @goapi/server proxy: the proxy's server-sent events for the task are a task
// feed, so wait() ends on the stream's completion, polls only as a safety net while it is open, and
// at its usual pace once the stream is missing, refused, ends or breaks.
import type { UntypedTask } from '@goapi/types'
import { makeClient, type GoApiClient, type ProxyClientOptions } from './client.js'
import { ConfigurationError } from './errors.js'
import { nestedDeeperThan } from './internal/redact.js'
import { sseData } from './sse.js'
import type { TaskFeed } from './wait.js'

function isTask(value: unknown): value is UntypedTask {
  return typeof value === 'object' && value !== null && typeof (value as { task_id?: unknown }).task_id === 'string'
}

/**
 * Creates a client of a `@goapi/server` proxy (for browsers): it holds and sends no API key (not
 * even `GOAPI_API_KEY`), and its `wait()` follows the proxy's events stream, falling back to
 * polling the proxy. Throws `ConfigurationError` for a key, a missing `baseUrl` or one of GoAPI's
 * own hosts (which need a key). A separate factory, so key clients never bundle the events feed.
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
  return makeClient(options, eventsFeed)
}

/**
 * The feed of `<baseUrl>/api/v1/task/{id}/events`, read with `fetchFn` (the client's guarded
 * `fetch`: redirect rules, answer cap): each event that is a task of that id is pushed; the feed is
 * `lost` when the stream is missing, refused, ends or breaks, or sends an event nested deeper than
 * `maxDepth`. Unsubscribing closes the stream.
 */
export function eventsFeed(baseUrl: string, fetchFn: typeof fetch, maxDepth: number): TaskFeed {
  return {
    subscribe(taskId, listener, lost) {
      const stop = new AbortController()
      const follow = async () => {
        const response = await fetchFn(`${baseUrl}/api/v1/task/${encodeURIComponent(taskId)}/events`, {
          headers: { accept: 'text/event-stream' },
          cache: 'no-store',
          signal: stop.signal,
        })
        if (!response.ok || !response.body || !/^text\/event-stream/i.test(response.headers.get('content-type') ?? ''))
          return response.body?.cancel()
        for await (const data of sseData(response.body)) {
          let value: unknown
          try {
            value = JSON.parse(data)
          } catch {
            continue
          }
          if (!isTask(value) || value.task_id !== taskId) continue
          if (nestedDeeperThan(value, maxDepth)) return
          listener(value)
        }
      }
      follow()
        .catch(() => undefined)
        .finally(() => {
          if (!stop.signal.aborted) lost?.()
        })
      return () => stop.abort()
    },
  }
}

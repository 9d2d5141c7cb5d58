// Where commands send requests: the real API when GOAPI_API_KEY is set, otherwise an embedded
// simulator started in this process (and announced in one line on stderr).
import { createClient, type GoApiClient, type PollPolicy } from '@goapi/client'
import { isPrivateUrl } from '@goapi/client/node'
import { startMock, type Latency } from '@goapi/mock'
import { CliError, EXIT } from './errors.js'

export interface GlobalOptions {
  offline?: boolean
  baseUrl?: string
}

export interface Backend {
  client: GoApiClient
  offline: boolean
  /**
   * The API base URL is itself loopback or private (the built-in simulator, a local server): its
   * files are on such an address too, so downloads from private addresses are allowed.
   */
  privateBase: boolean
  /** Poll pace: fast against the local simulator, the client's defaults against the API. */
  poll: Partial<PollPolicy> | undefined
  /**
   * Offline only: cancels the tasks in the built-in simulator at once, in this process, so no task
   * can finish between a Ctrl-C and its cancel. Returns the ids cancelled (those not finished yet).
   */
  halt?: (taskIds: string[]) => string[]
  close(): Promise<void>
}

/** Simulator latency: `GOAPI_MOCK_LATENCY_MS` is `N` (pending and processing N ms each) or `P,Q`. */
export function simulatorLatency(env: NodeJS.ProcessEnv = process.env): Latency {
  const raw = env.GOAPI_MOCK_LATENCY_MS
  if (!raw) return { pendingMs: 500, processingMs: 1500 }
  const [p, q] = raw.split(',').map((v) => Number(v.trim()))
  if (p === undefined || !Number.isFinite(p) || p < 0 || (q !== undefined && (!Number.isFinite(q) || q < 0))) {
    throw new CliError(`GOAPI_MOCK_LATENCY_MS must be "N" or "P,Q" in ms, got "${raw}"`, EXIT.usage)
  }
  return { pendingMs: p, processingMs: q ?? p }
}

export async function connect(options: GlobalOptions, log: (line: string) => void): Promise<Backend> {
  const apiKey = process.env.GOAPI_API_KEY?.trim()
  const baseUrl = options.baseUrl ?? process.env.GOAPI_BASE_URL
  if (apiKey && !options.offline) {
    return {
      client: createClient({ apiKey, ...(baseUrl ? { baseUrl } : {}) }),
      offline: false,
      privateBase: baseUrl !== undefined && isPrivateUrl(baseUrl),
      poll: undefined,
      close: async () => {},
    }
  }
  const mock = await startMock({ latency: simulatorLatency() })
  log(
    `goapi: ${options.offline ? '--offline' : 'no GOAPI_API_KEY set'}: using the built-in simulator at ${mock.url} (tasks and files are simulated and last only for this command)`,
  )
  return {
    client: createClient({ apiKey: 'offline-simulator', baseUrl: mock.url }),
    offline: true,
    privateBase: isPrivateUrl(mock.url),
    poll: { initialDelayMs: 100, maxDelayMs: 300 },
    halt: (taskIds) => {
      const now = Date.now()
      return taskIds.filter((id) => {
        const task = mock.state.get(id)
        if (!task || task.cancelledAt !== undefined) return false
        const end = (task.startAt ?? task.createdAt) + task.latency.pendingMs + task.latency.processingMs
        if (now >= end) return false
        task.cancelledAt = now
        mock.accounts.of(task.apiKey).cancel(task)
        return true
      })
    },
    close: () => mock.close(),
  }
}

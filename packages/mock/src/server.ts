// The simulator's HTTP server: node:http on 127.0.0.1, no framework. Wires the state, accounts,
// faults and webhooks together and hands each request to its route, applying faults on the way.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Accounts, type AccountOptions } from './accounts.js'
import { admin } from './admin.js'
import type { MockContext } from './context.js'
import { breaksAnswer, Faults, type FaultRule } from './faults.js'
import { drain, errorReply, HttpError, type Reply } from './http.js'
import { readOperations } from './operations.js'
import { resolve } from './routes.js'
import { faultReply, send, sendSlowly } from './send.js'
import { SpecIndex } from './spec.js'
import { MockState, type Latency } from './state.js'
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
  /**
   * Most request bytes kept over all tasks (default 256 MiB): past it the oldest tasks are
   * evicted; one create larger than this gets 413.
   */
  maxInputBytes?: number
  /** Most accounts kept for unconfigured keys; the least recently used is evicted (default 10 000). */
  maxAccounts?: number
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

export function createMock(options: MockOptions = {}) {
  let baseUrl = ''
  const spec = options.spec ?? new SpecIndex()
  const ctx: MockContext = {
    spec,
    operations: readOperations(spec),
    log: (line) => options.log?.(line),
    state: new MockState(options.maxTasks ?? 10_000, options.maxInputBytes),
    accounts: new Accounts(options.accounts, options.maxAccounts),
    faults: new Faults(),
    webhooks: new Webhooks(options.webhook),
    limit: options.maxBodyBytes ?? 16 * 1024 * 1024,
    keys: options.keys ? new Set([...options.keys, ...Object.keys(options.accounts ?? {})]) : undefined,
    baseUrl: () => baseUrl,
    latencyFor: (family) => ({
      ...DEFAULT_LATENCY,
      ...(options.latency?.pendingMs !== undefined ? { pendingMs: options.latency.pendingMs } : {}),
      ...(options.latency?.processingMs !== undefined ? { processingMs: options.latency.processingMs } : {}),
      ...(family ? options.latency?.byFamily?.[family] : undefined),
    }),
  }
  for (const rule of options.faults ?? []) ctx.faults.add(rule)
  ctx.state.onEvict = (task) => ctx.accounts.peek(task.apiKey)?.settle(task)
  const delays = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>()

  const delay = (ms: number) =>
    new Promise<void>((resolve) => {
      const entry = { timer: setTimeout(() => (delays.delete(entry), resolve()), ms), resolve }
      delays.add(entry)
    })

  const serve = async (req: IncomingMessage, res: ServerResponse): Promise<string> => {
    const url = new URL(req.url ?? '/', 'http://localhost')
    const method = req.method ?? 'GET'
    if (url.pathname.startsWith('/__admin/') && options.admin !== false) {
      const reply = await admin(ctx, req, method, url.pathname).catch(errorReply)
      send(req, res, reply ?? errorReply(new HttpError(404, `no route ${method} ${url.pathname}`)), false)
      return String((reply ?? { status: 404 }).status)
    }
    const { route, handle } = resolve(ctx, req, url)
    const fault = ctx.faults.take(route)
    if (fault?.delayMs) await delay(fault.delayMs)
    const breaks = fault !== undefined && breaksAnswer(fault)
    let real: Reply | undefined
    if (!breaks || fault.afterRecord || (fault.body === 'truncated' && method === 'GET'))
      real = await handle(fault).catch(errorReply)
    if (!breaks || !fault) {
      const reply = real ?? errorReply(new Error('no answer'))
      if (fault?.slowBodyMs === undefined) {
        send(req, res, reply, false)
        return String(reply.status)
      }
      const ms = fault.slowBodyMs
      await sendSlowly(req, res, reply, () => delay(ms))
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
    const ms = fault.slowBodyMs
    if (ms !== undefined && fault.body !== 'truncated') await sendSlowly(req, res, reply, () => delay(ms))
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
    state: ctx.state,
    spec: ctx.spec,
    faults: ctx.faults,
    webhooks: ctx.webhooks,
    accounts: ctx.accounts,
    setBaseUrl(url: string) {
      baseUrl = url
    },
    stop() {
      ctx.webhooks.close()
      for (const entry of delays) {
        clearTimeout(entry.timer)
        entry.resolve()
      }
      delays.clear()
    },
  }
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

// Verifying GoAPI webhook deliveries: secret (constant time), size limit, payload shape,
// freshness and replay. Runs on Node, browsers, Deno, Bun and workers (Web Crypto only).
import type { UntypedTask } from '@goapi/types'
import { WebhookVerificationError } from './errors.js'

/** Remembers which deliveries were already accepted. Implement it on Redis or a database to share it between processes. */
export interface WebhookDedupeStore {
  /**
   * Records `key` for `ttlMs` and returns `false`, or returns `true` when it was already recorded
   * (a replay). Must be atomic per key ("set if absent").
   */
  seen(key: string, ttlMs: number): boolean | Promise<boolean>
}

/** The default dedupe store: in memory, entries expire after their ttl, oldest dropped past `maxEntries`. */
export class MemoryDedupeStore implements WebhookDedupeStore {
  readonly #entries = new Map<string, number>()
  constructor(
    readonly maxEntries = 10_000,
    readonly now: () => number = Date.now,
  ) {}

  seen(key: string, ttlMs: number): boolean {
    const now = this.now()
    const expires = this.#entries.get(key)
    if (expires !== undefined && expires > now) return true
    this.#entries.delete(key)
    this.#entries.set(key, now + ttlMs)
    for (const [k, until] of this.#entries) {
      if (this.#entries.size <= this.maxEntries && until > now) break
      this.#entries.delete(k)
    }
    return false
  }

  get size(): number {
    return this.#entries.size
  }
}

export interface VerifyWebhookOptions {
  /** The secret you set in `config.webhook_config.secret`; GoAPI sends it back as `x-webhook-secret`. */
  secret: string
  /** Largest accepted body in bytes. Default 1 MiB. */
  maxBodyBytes?: number
  /** How far (seconds) the delivery's `timestamp` may be from now. Default 300. `Infinity` disables the check. */
  toleranceSeconds?: number
  /** Where accepted deliveries are remembered to reject replays; `false` disables. Default: one shared in-memory store. */
  dedupe?: WebhookDedupeStore | false
  /** The clock, in ms (for tests). */
  now?: () => number
}

/** A verified delivery: `timestamp` (Unix seconds) and `data`, the task as Get Task returns it. */
export interface WebhookEvent {
  timestamp: number
  data: UntypedTask
}

export const DEFAULT_WEBHOOK_MAX_BODY_BYTES = 1024 * 1024
export const DEFAULT_WEBHOOK_TOLERANCE_SECONDS = 300
// The store used when none is given: made on first use, so importing the client creates nothing.
let defaultStore: MemoryDedupeStore | undefined

type HeaderSource = Headers | Record<string, string | string[] | undefined>

function header(headers: HeaderSource, name: string): string | undefined {
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined
  const record = headers as Record<string, string | string[] | undefined>
  for (const [k, v] of Object.entries(record)) {
    if (k.toLowerCase() === name) return Array.isArray(v) ? v[0] : v
  }
  return undefined
}

async function sha256(text: string): Promise<Uint8Array> {
  return new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)))
}

/** Compares two strings in time independent of where they differ (both are hashed to equal length first). */
export async function timingSafeEqualStrings(a: string, b: string): Promise<boolean> {
  const [x, y] = await Promise.all([sha256(a), sha256(b)])
  let diff = 0
  for (let i = 0; i < x.length; i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0)
  return diff === 0
}

function tooLarge(limit: number): WebhookVerificationError {
  return new WebhookVerificationError('too-large', `Webhook body is larger than ${limit} bytes`)
}

async function readLimited(request: Request, limit: number): Promise<string> {
  const declared = Number(request.headers.get('content-length'))
  if (Number.isFinite(declared) && declared > limit) throw tooLarge(limit)
  if (!request.body) return ''
  const reader = request.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > limit) {
      await reader.cancel().catch(() => undefined)
      throw tooLarge(limit)
    }
    chunks.push(value)
  }
  const all = new Uint8Array(size)
  let at = 0
  for (const c of chunks) {
    all.set(c, at)
    at += c.byteLength
  }
  return new TextDecoder().decode(all)
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function parseEvent(text: string): WebhookEvent {
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    throw new WebhookVerificationError('invalid-body', 'Webhook body is not JSON')
  }
  if (!isObject(body)) throw new WebhookVerificationError('invalid-body', 'Webhook body is not an object')
  const { timestamp, data } = body
  if (typeof timestamp !== 'number' || !Number.isFinite(timestamp))
    throw new WebhookVerificationError('invalid-body', 'Webhook body has no numeric `timestamp`')
  if (
    !isObject(data) ||
    typeof data.task_id !== 'string' ||
    !data.task_id ||
    typeof data.model !== 'string' ||
    typeof data.task_type !== 'string'
  ) {
    throw new WebhookVerificationError('invalid-body', 'Webhook `data` is not a task (task_id, model, task_type)')
  }
  if (data.status !== undefined && typeof data.status !== 'string')
    throw new WebhookVerificationError('invalid-body', 'Webhook task `status` is not a string')
  return { timestamp, data: data as unknown as UntypedTask }
}

/**
 * Verifies a delivery given its headers and raw body (Node `req.headers` and the unparsed body,
 * Express `express.raw()`, ...). Resolves with the event, or rejects with `WebhookVerificationError`.
 * Order: size, secret, payload, freshness, replay (only deliveries passing everything are recorded).
 */
export async function verifyWebhookPayload(
  headers: HeaderSource,
  rawBody: string | Uint8Array,
  options: VerifyWebhookOptions,
): Promise<WebhookEvent> {
  const limit = options.maxBodyBytes ?? DEFAULT_WEBHOOK_MAX_BODY_BYTES
  const size = typeof rawBody === 'string' ? new TextEncoder().encode(rawBody).byteLength : rawBody.byteLength
  if (size > limit) throw tooLarge(limit)
  if (!options.secret)
    throw new WebhookVerificationError('missing-secret', 'No webhook secret configured: pass { secret }')
  const given = header(headers, 'x-webhook-secret')
  if (!given) throw new WebhookVerificationError('missing-secret', 'Webhook delivery has no x-webhook-secret header')
  if (!(await timingSafeEqualStrings(given, options.secret)))
    throw new WebhookVerificationError('wrong-secret', 'Webhook delivery has a wrong x-webhook-secret')
  const event = parseEvent(typeof rawBody === 'string' ? rawBody : new TextDecoder().decode(rawBody))
  const taskId = event.data.task_id
  const tolerance = options.toleranceSeconds ?? DEFAULT_WEBHOOK_TOLERANCE_SECONDS
  const nowSeconds = (options.now ?? Date.now)() / 1000
  if (Math.abs(nowSeconds - event.timestamp) > tolerance) {
    throw new WebhookVerificationError(
      'stale',
      `Webhook delivery timestamp ${event.timestamp} is more than ${tolerance} s from now`,
      { taskId },
    )
  }
  const store = options.dedupe === undefined ? (defaultStore ??= new MemoryDedupeStore()) : options.dedupe
  if (store) {
    const ttlMs = Number.isFinite(tolerance) ? tolerance * 2 * 1000 : 24 * 3600 * 1000
    const key = `${taskId}|${(event.data.status ?? '').toLowerCase()}|${event.timestamp}`
    if (await store.seen(key, ttlMs))
      throw new WebhookVerificationError('replayed', `Webhook delivery for task ${taskId} was already accepted`, {
        taskId,
      })
  }
  return event
}

/** Verifies a delivery given as a Web `Request` (Next.js route handlers, Hono, Deno, Bun, workers). */
export async function verifyWebhook(request: Request, options: VerifyWebhookOptions): Promise<WebhookEvent> {
  const limit = options.maxBodyBytes ?? DEFAULT_WEBHOOK_MAX_BODY_BYTES
  const body = await readLimited(request, limit)
  return verifyWebhookPayload(request.headers, body, options)
}

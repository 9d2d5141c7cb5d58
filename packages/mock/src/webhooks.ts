// Task webhooks: for tasks with `config.webhook_config.endpoint`, POST `{timestamp, data}` with
// `x-webhook-secret` at each status change, retrying non-2xx answers. Every timer and request
// is tracked so `close()` leaves nothing running.
import type { MockStatus, MockTask } from './state.js'

export interface WebhookOptions {
  /** Attempts per delivery, the first included (default 3). */
  attempts?: number
  /** Wait between attempts, ms (default 1000). */
  retryDelayMs?: number
  /** Time limit of one attempt, ms (default 10 000). */
  timeoutMs?: number
}

export interface WebhookAttempt {
  taskId: string
  status: MockStatus
  /** 1 for the first try. */
  attempt: number
  /** HTTP status of the receiver's answer; absent when the request failed. */
  responseStatus?: number
  error?: string
  ok: boolean
}

const MAX_RECORDED = 1000

export class Webhooks {
  /** Every attempt made, oldest first (the last 1000). */
  readonly attempts: WebhookAttempt[] = []
  private readonly timers = new Set<NodeJS.Timeout>()
  private readonly byTask = new Map<string, Set<NodeJS.Timeout>>()
  private readonly queues = new Map<string, Promise<void>>()
  private readonly aborts = new Set<AbortController>()
  private busy = 0
  private waiters: Array<() => void> = []
  private closed = false
  private readonly attemptsPerDelivery: number
  private readonly retryDelayMs: number
  private readonly timeoutMs: number

  constructor(options: WebhookOptions = {}) {
    this.attemptsPerDelivery = Math.max(1, options.attempts ?? 3)
    this.retryDelayMs = options.retryDelayMs ?? 1000
    this.timeoutMs = options.timeoutMs ?? 10_000
  }

  /** Schedules a delivery per status change of the task; `body(at)` builds the payload at that time. */
  schedule(task: MockTask, changes: Array<{ status: MockStatus; at: number }>, body: (at: number) => unknown): void {
    const endpoint = task.config.webhook_config.endpoint
    if (!endpoint || this.closed) return
    for (const change of changes) {
      const run = () => this.enqueue(task, change.status, body(change.at))
      const delay = change.at - Date.now()
      if (delay <= 0) {
        run()
        continue
      }
      this.busy++
      const timer = setTimeout(() => {
        this.forget(task.id, timer)
        run()
        this.done()
      }, delay)
      this.timers.add(timer)
      let set = this.byTask.get(task.id)
      if (!set) this.byTask.set(task.id, (set = new Set()))
      set.add(timer)
    }
  }

  /** Drops the task's future deliveries (it was canceled) and sends `status` now. */
  interrupt(task: MockTask, status: MockStatus, body: unknown): void {
    for (const timer of this.byTask.get(task.id) ?? []) {
      clearTimeout(timer)
      this.timers.delete(timer)
      this.done()
    }
    this.byTask.delete(task.id)
    if (task.config.webhook_config.endpoint && !this.closed) this.enqueue(task, status, body)
  }

  /** Deliveries scheduled for later, waiting or in flight. */
  get pending(): number {
    return this.busy
  }

  /** Resolves once no delivery is scheduled, waiting or in flight. */
  idle(): Promise<void> {
    if (this.busy === 0) return Promise.resolve()
    return new Promise((resolve) => this.waiters.push(resolve))
  }

  /** Stops every timer and request. */
  close(): void {
    this.closed = true
    for (const timer of this.timers) clearTimeout(timer)
    this.timers.clear()
    this.byTask.clear()
    for (const controller of this.aborts) controller.abort()
    this.busy = 0
    this.done()
  }

  private forget(taskId: string, timer: NodeJS.Timeout): void {
    this.timers.delete(timer)
    const set = this.byTask.get(taskId)
    set?.delete(timer)
    if (set?.size === 0) this.byTask.delete(taskId)
  }

  private done(): void {
    if (this.busy > 0) this.busy--
    if (this.busy === 0) {
      const waiters = this.waiters
      this.waiters = []
      for (const resolve of waiters) resolve()
    }
  }

  // Deliveries of one task go out in order.
  private enqueue(task: MockTask, status: MockStatus, body: unknown): void {
    this.busy++
    const previous = this.queues.get(task.id) ?? Promise.resolve()
    const next = previous
      .then(() => this.deliver(task, status, JSON.stringify(body)))
      .finally(() => {
        if (this.queues.get(task.id) === next) this.queues.delete(task.id)
        this.done()
      })
    this.queues.set(task.id, next)
  }

  private async deliver(task: MockTask, status: MockStatus, text: string): Promise<void> {
    const { endpoint, secret } = task.config.webhook_config
    for (let attempt = 1; attempt <= this.attemptsPerDelivery && !this.closed; attempt++) {
      const controller = new AbortController()
      this.aborts.add(controller)
      const timer = setTimeout(() => controller.abort(), this.timeoutMs)
      const record: WebhookAttempt = { taskId: task.id, status, attempt, ok: false }
      try {
        const res = await fetch(endpoint, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-webhook-secret': secret, 'user-agent': 'goapi-mock' },
          body: text,
          signal: controller.signal,
        })
        await res.arrayBuffer().catch(() => undefined)
        record.responseStatus = res.status
        record.ok = res.ok
      } catch (error) {
        record.error = error instanceof Error ? error.message : String(error)
      } finally {
        clearTimeout(timer)
        this.aborts.delete(controller)
      }
      if (this.closed) return
      this.attempts.push(record)
      if (this.attempts.length > MAX_RECORDED) this.attempts.shift()
      if (record.ok) return
      if (attempt < this.attemptsPerDelivery) await this.sleep(this.retryDelayMs)
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.closed) return resolve()
      const timer = setTimeout(() => {
        this.timers.delete(timer)
        resolve()
      }, ms)
      this.timers.add(timer)
    })
  }
}

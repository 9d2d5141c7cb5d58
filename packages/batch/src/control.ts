// The two throttles of a batch: the concurrency gate (AIMD: halve on a concurrency-limit 429 and
// wait out its Retry-After, grow back by about one slot per window of successes) and the credit budget.

/** Resolves after `ms`, or rejects when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason)
    const timer = setTimeout(done, Math.max(0, ms))
    function done() {
      signal?.removeEventListener('abort', abort)
      resolve()
    }
    function abort() {
      clearTimeout(timer)
      reject(signal?.reason)
    }
    signal?.addEventListener('abort', abort, { once: true })
  })
}

/** At most `limit` tasks at once; `limit` moves between 1 and `max` (additive increase, multiplicative decrease). */
export class ConcurrencyGate {
  private current: number
  private active = 0
  private pausedUntil = 0
  private lastCut = 0
  private waiters: Array<() => void> = []

  constructor(
    readonly max: number,
    private readonly onChange?: (limit: number, reason: 'rate-limited' | 'recovered') => void,
  ) {
    this.current = max
  }

  get limit(): number {
    return Math.max(1, Math.floor(this.current))
  }

  get inUse(): number {
    return this.active
  }

  async acquire(signal?: AbortSignal): Promise<void> {
    for (;;) {
      signal?.throwIfAborted()
      const pause = this.pausedUntil - Date.now()
      if (pause > 0) {
        // Each waiter sleeps out the pause itself: no wake-up can be missed.
        await sleep(pause + 1, signal)
        continue
      }
      if (this.active < this.limit) break
      await new Promise<void>((resolve) => {
        const wake = () => {
          signal?.removeEventListener('abort', wake)
          resolve()
        }
        this.waiters.push(wake)
        signal?.addEventListener('abort', wake, { once: true })
      })
    }
    this.active++
  }

  release(): void {
    this.active--
    this.wake()
  }

  /** A create was accepted (`staged` counts): grow by 1/limit, so about one slot per `limit` successes. */
  accepted(): void {
    if (this.current >= this.max) return
    const before = this.limit
    this.current = Math.min(this.max, this.current + 1 / this.current)
    if (this.limit !== before) {
      this.onChange?.(this.limit, 'recovered')
      this.wake()
    }
  }

  /** A concurrency-limit 429: halve (once per pause) and create nothing until `retryAfterMs` has passed. */
  limited(retryAfterMs: number | undefined): void {
    const now = Date.now()
    const pause = Math.min(retryAfterMs ?? 1_000, 60_000)
    if (now >= this.lastCut + pause) {
      this.current = Math.max(1, this.current / 2)
      this.lastCut = now
      this.onChange?.(this.limit, 'rate-limited')
    }
    this.pausedUntil = Math.max(this.pausedUntil, now + pause)
  }

  private wake(): void {
    const waiters = this.waiters
    this.waiters = []
    for (const w of waiters) w()
  }
}

/** The key of a (model, task type) pair, which has one price. */
export const pairKey = (model: string, taskType: string) => `${model}\u0000${taskType}`

/**
 * The credit budget (in points, as GoAPI's `usage` reports them). A create is allowed only when what
 * is spent or held plus the pair's price fits; a pair's price is learned from its first create, and
 * until then at most one create of that pair is in flight.
 */
export class CreditBudget {
  private held: number
  private readonly prices = new Map<string, number>()
  private readonly probing = new Map<string, Promise<void>>()
  private readonly probeDone = new Map<string, () => void>()
  /** Set when GoAPI said the account itself is out of credits. */
  exhausted = false

  constructor(
    readonly max: number | undefined,
    spent = 0,
  ) {
    this.held = spent
  }

  get spent(): number {
    return this.held
  }

  /**
   * Reserves the price of one create of `pair`: `reserved` (the amount to settle later), `over`
   * when it could exceed the budget, or `wait` with a promise when the pair's price is being learned.
   */
  reserve(
    pair: string,
  ): { kind: 'reserved'; amount: number } | { kind: 'over'; needed: number } | { kind: 'wait'; until: Promise<void> } {
    if (this.max === undefined) return { kind: 'reserved', amount: 0 }
    const price = this.prices.get(pair)
    if (price === undefined) {
      const probe = this.probing.get(pair)
      if (probe) return { kind: 'wait', until: probe }
      this.probing.set(pair, new Promise((resolve) => this.probeDone.set(pair, resolve)))
      return { kind: 'reserved', amount: 0 }
    }
    if (this.held + price > this.max) return { kind: 'over', needed: price }
    this.held += price
    return { kind: 'reserved', amount: price }
  }

  /** The create made a task costing `credits`: replaces the reservation with the real amount. */
  charged(pair: string, reserved: number, credits: number): void {
    this.held += credits - reserved
    if (!this.prices.has(pair) || credits > (this.prices.get(pair) ?? 0)) this.prices.set(pair, credits)
    this.endProbe(pair)
  }

  /** No task came of the reservation, or the task failed (GoAPI releases a failed task's credits). */
  released(pair: string, amount: number): void {
    this.held -= amount
    this.endProbe(pair)
  }

  private endProbe(pair: string): void {
    this.probeDone.get(pair)?.()
    this.probeDone.delete(pair)
    this.probing.delete(pair)
  }
}

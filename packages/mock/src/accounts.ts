// Per-key accounts: a credit balance (points frozen when a task is accepted, consumed when it
// completes, released when it fails) and a concurrency limit enforced with time slots, so the
// lifecycle stays computed from the clock.
import { endedAt, statusOf, type MockTask } from './state.js'

export interface AccountOptions {
  /** Balance in points (10,000,000 points = 1 USD). Default 1,000,000,000,000. */
  credits?: number
  /** Most tasks pending or processing at once. Default: unlimited. */
  concurrency?: number
}

/** Points per US dollar, as reported by GoAPI clients. */
export const POINTS_PER_USD = 10_000_000
const DEFAULT_CREDITS = 1_000_000_000_000
/** Midjourney keeps at most this many tasks staged. */
export const MAX_STAGED = 50

export class Account {
  readonly credits: number
  readonly concurrency: number
  /** Points spent on completed tasks. */
  used = 0
  private readonly open = new Map<string, MockTask>()
  /** Per concurrency slot, the tasks queued on it (each starts when the previous one ends). */
  private readonly slots: MockTask[][] = []

  constructor(
    readonly id: number,
    options: AccountOptions = {},
  ) {
    this.credits = options.credits ?? DEFAULT_CREDITS
    this.concurrency = options.concurrency ?? Infinity
  }

  get name(): string {
    return `mock-account-${this.id}`
  }

  /** Points held for tasks not finished yet at `now` (settles the finished ones). */
  frozen(now: number): number {
    let frozen = 0
    for (const task of this.open.values()) {
      const status = statusOf(task, now)
      if (status === 'completed' || status === 'failed') this.settle(task)
      else frozen += task.credits
    }
    return frozen
  }

  remain(now: number): number {
    const frozen = this.frozen(now) // settles finished tasks first, which updates `used`
    return this.credits - this.used - frozen
  }

  /** Records a finished (or evicted) task: completed ones are paid, failed ones released. */
  settle(task: MockTask): void {
    if (!this.open.delete(task.id)) return
    if (task.cancelledAt === undefined && !task.failure) this.used += task.credits
  }

  /**
   * Finds when a task created at `now` can start: `now` when a slot is free,
   * otherwise the earliest time one frees up. Call `occupy` once the task exists.
   */
  nextStart(now: number): { at: number; slot: number } {
    if (!Number.isFinite(this.concurrency)) return { at: now, slot: -1 }
    while (this.slots.length < this.concurrency) this.slots.push([])
    let best = { at: Infinity, slot: 0 }
    this.slots.forEach((queue, slot) => {
      const live = queue.filter((t) => t.cancelledAt === undefined && endedAt(t) > now)
      this.slots[slot] = live
      const at = Math.max(now, ...live.map(endedAt))
      if (at < best.at) best = { at, slot }
    })
    return best
  }

  /** Tasks staged at `now` (created but waiting for a slot). */
  stagedCount(now: number): number {
    let n = 0
    for (const task of this.open.values()) if (statusOf(task, now) === 'staged') n++
    return n
  }

  occupy(task: MockTask, slot: number): void {
    this.open.set(task.id, task)
    this.slots[slot]?.push(task)
  }

  /** Releases a canceled task's credits; its slot frees once the tasks queued on it end (start times already given are kept). */
  cancel(task: MockTask): void {
    this.settle(task)
  }

  /** Tasks of this account still open (staged, pending or processing at `now`). */
  active(now: number): MockTask[] {
    this.frozen(now)
    return [...this.open.values()]
  }
}

export class Accounts {
  /** Accounts by key, least recently used first (a use moves the key to the end). */
  private readonly byKey = new Map<string, Account>()
  private nextId = 1

  /**
   * @param options - configured accounts: always kept, never evicted.
   * @param maxAccounts - most accounts kept for other keys; the least recently used is evicted
   *   first (its balance and history start over if the key comes back).
   */
  constructor(
    private readonly options: Record<string, AccountOptions> = {},
    readonly maxAccounts = 10_000,
  ) {}

  /** The account of an API key, created on first use. */
  of(apiKey: string): Account {
    let account = this.byKey.get(apiKey)
    if (account) {
      this.byKey.delete(apiKey)
      this.byKey.set(apiKey, account)
      return account
    }
    account = new Account(this.nextId++, this.options[apiKey])
    this.byKey.set(apiKey, account)
    this.evict()
    return account
  }

  /** The account of a key if it exists, without creating it or counting a use. */
  peek(apiKey: string): Account | undefined {
    return this.byKey.get(apiKey)
  }

  /** Accounts held now (configured ones included). */
  get size(): number {
    return this.byKey.size
  }

  private evict(): void {
    const pinned = Object.keys(this.options).filter((k) => this.byKey.has(k)).length
    if (this.byKey.size - pinned <= this.maxAccounts) return
    for (const key of this.byKey.keys()) {
      if (key in this.options) continue
      this.byKey.delete(key)
      if (this.byKey.size - pinned <= this.maxAccounts) return
    }
  }

  /** Every account used so far (without their keys). */
  list(): Account[] {
    return [...this.byKey.values()]
  }
}

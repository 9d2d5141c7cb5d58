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

interface Slot {
  freeAt: number
  lastTask: string | undefined
}

export class Account {
  readonly credits: number
  readonly concurrency: number
  /** Points spent on completed tasks. */
  used = 0
  private readonly open = new Map<string, MockTask>()
  private readonly slots: Slot[] = []
  private readonly previousFree = new Map<string, number>()

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
    return this.credits - this.used - this.frozen(now)
  }

  /** Records a finished (or evicted) task: completed ones are paid, failed ones released. */
  settle(task: MockTask): void {
    if (!this.open.delete(task.id)) return
    if (task.cancelledAt === undefined && !task.failure) this.used += task.credits
    this.previousFree.delete(task.id)
  }

  /**
   * Finds when a task created at `now` lasting `durationMs` can start: `now` when a slot is free,
   * otherwise the earliest time one frees up. Call `occupy` once the task exists.
   */
  nextStart(now: number): { at: number; slot: number } {
    if (!Number.isFinite(this.concurrency)) return { at: now, slot: -1 }
    while (this.slots.length < this.concurrency) this.slots.push({ freeAt: 0, lastTask: undefined })
    let best = 0
    this.slots.forEach((s, i) => {
      if (s.freeAt < (this.slots[best]?.freeAt ?? Infinity)) best = i
    })
    return { at: Math.max(now, this.slots[best]?.freeAt ?? now), slot: best }
  }

  /** Tasks staged at `now` (created but waiting for a slot). */
  stagedCount(now: number): number {
    let n = 0
    for (const task of this.open.values()) if (statusOf(task, now) === 'staged') n++
    return n
  }

  occupy(task: MockTask, slot: number): void {
    this.open.set(task.id, task)
    const s = this.slots[slot]
    if (!s) return
    this.previousFree.set(task.id, s.freeAt)
    s.freeAt = endedAt(task)
    s.lastTask = task.id
  }

  /** A canceled task frees its slot when no later task is queued on it. */
  cancel(task: MockTask, now: number): void {
    const s = this.slots.find((x) => x.lastTask === task.id)
    if (s) s.freeAt = Math.max(now, this.previousFree.get(task.id) ?? 0)
    this.settle(task)
  }

  /** Tasks of this account still open (staged, pending or processing at `now`). */
  active(now: number): MockTask[] {
    this.frozen(now)
    return [...this.open.values()]
  }
}

export class Accounts {
  private readonly byKey = new Map<string, Account>()

  constructor(private readonly options: Record<string, AccountOptions> = {}) {}

  /** The account of an API key, created on first use. */
  of(apiKey: string): Account {
    let account = this.byKey.get(apiKey)
    if (!account) {
      account = new Account(this.byKey.size + 1, this.options[apiKey])
      this.byKey.set(apiKey, account)
    }
    return account
  }

  /** Every account used so far (without their keys). */
  list(): Account[] {
    return [...this.byKey.values()]
  }
}

// The simulator's in-memory state: tasks (bounded, oldest evicted first) and their lifecycle.
// Status is computed from the clock, so no timer is needed per task (webhooks schedule their own).
import { randomUUID } from 'node:crypto'
import type { CatalogTask } from './spec.js'

export interface Latency {
  /** Time a task stays `pending`, ms. */
  pendingMs: number
  /** Time a task stays `processing`, ms. */
  processingMs: number
}

export interface TaskFailure {
  code: number
  message: string
  raw_message?: string
}

export interface MockTask {
  id: string
  /** Creation order, from 1 (history record id). */
  seq?: number
  apiKey: string
  model: string
  taskType: string
  input: Record<string, unknown>
  config: { service_mode: string; webhook_config: { endpoint: string; secret: string } }
  entry: CatalogTask | undefined
  /** The output schema the input selects (`entry.output` or one of its variants). */
  output?: string
  createdAt: number
  /** When the task leaves `staged` (Midjourney over the concurrency limit); `createdAt` when never staged. */
  startAt?: number
  latency: Latency
  cancelledAt?: number
  failure?: TaskFailure
  credits: number
  /** Bytes of the create request's body, counted against `maxInputBytes`. */
  inputBytes?: number
}

export type MockStatus = 'staged' | 'pending' | 'processing' | 'completed' | 'failed'

/** The marker that makes a task fail on purpose: put it anywhere in a string input field. */
export const FAIL_MARKER = '[goapi-mock:fail]'

export class MockState {
  readonly tasks = new Map<string, MockTask>()
  /** Number of create requests that produced a task (never decremented by eviction). */
  created = 0
  /** Request bytes of the tasks held now. */
  inputBytes = 0
  /** Called with each task dropped to stay under `maxTasks` and `maxInputBytes`. */
  onEvict: ((task: MockTask) => void) | undefined

  constructor(
    readonly maxTasks: number,
    /** Most request bytes held over all tasks; the oldest tasks are evicted to make room. */
    readonly maxInputBytes = 256 * 1024 * 1024,
  ) {}

  add(task: Omit<MockTask, 'id'>): MockTask {
    this.created++
    const full: MockTask = { ...task, id: randomUUID(), seq: this.created }
    this.tasks.set(full.id, full)
    this.inputBytes += full.inputBytes ?? 0
    while (this.tasks.size > this.maxTasks || (this.inputBytes > this.maxInputBytes && this.tasks.size > 1)) {
      const oldest = this.tasks.values().next().value
      if (oldest === undefined || oldest === full) break
      this.tasks.delete(oldest.id)
      this.inputBytes -= oldest.inputBytes ?? 0
      this.onEvict?.(oldest)
    }
    return full
  }

  get(id: string): MockTask | undefined {
    return this.tasks.get(id)
  }

  /** Drops every task. */
  reset(): void {
    this.tasks.clear()
    this.created = 0
    this.inputBytes = 0
  }
}

export function startOf(task: MockTask): number {
  return task.startAt ?? task.createdAt
}

export function statusOf(task: MockTask, now: number): MockStatus {
  if (task.cancelledAt !== undefined) return 'failed'
  if (now < startOf(task)) return 'staged'
  const age = now - startOf(task)
  if (age < task.latency.pendingMs) return 'pending'
  if (age < task.latency.pendingMs + task.latency.processingMs) return 'processing'
  return task.failure ? 'failed' : 'completed'
}

export function startedAt(task: MockTask): number {
  return startOf(task) + task.latency.pendingMs
}

export function endedAt(task: MockTask): number {
  return task.cancelledAt ?? startOf(task) + task.latency.pendingMs + task.latency.processingMs
}

/** The times at which the task's status changes, first entry at creation (cancellation aside). */
export function transitions(task: MockTask): Array<{ status: MockStatus; at: number }> {
  const points = [task.createdAt, startOf(task), startedAt(task), endedAt(task)]
  const out: Array<{ status: MockStatus; at: number }> = []
  for (const at of points) {
    const status = statusOf(task, at)
    if (out.at(-1)?.status !== status) out.push({ status, at })
  }
  return out
}

/** Whether any string in the input carries the failure marker. */
export function wantsFailure(value: unknown): boolean {
  if (typeof value === 'string') return value.includes(FAIL_MARKER)
  if (Array.isArray(value)) return value.some(wantsFailure)
  if (typeof value === 'object' && value !== null) return Object.values(value).some(wantsFailure)
  return false
}

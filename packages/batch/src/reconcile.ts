// Finds the task a `submitting` row may have created before a crash or a lost answer: the account's
// open tasks and its task history since the row was submitted, minus every task already bound to a
// row, matched on model, task type, input and time. Absence counts only when the whole window was read.
import { listActiveTasks, listTaskHistory, type GoApiClient, type UntypedTask } from '@goapi/client'
import type { BatchRequest } from './validate.js'

export interface ReconcileTarget {
  row: number
  request: BatchRequest
  submittedAt: number
}

export type ReconcileOutcome =
  /** The row's task, now bound to it. */
  | { kind: 'found'; task: UntypedTask }
  /** The open tasks and the complete history of the window hold no such task: the create never made one. */
  | { kind: 'absent' }
  /** The history could not be read completely, so the row may or may not have a task. */
  | { kind: 'unknown'; reason: string }

export interface ReconcileOptions {
  /** The row that owns a task id, if any (tasks of rows not reconciled here are skipped). */
  ownerOf: (taskId: string) => number | undefined | Promise<number | undefined>
  /** Binds a task to a row atomically; `false` when another row got it first. */
  claim: (row: number, taskId: string) => boolean | Promise<boolean>
  /** How long after `submittedAt` a create can still turn into a task (the caller waits this long first). */
  settleMs: number
  /** Allowed clock difference between us and GoAPI. Default 60 s. */
  skewMs?: number
  /** Most history pages (of 100) read; more makes every target `unknown`. Default 200. */
  maxPages?: number
  signal?: AbortSignal
}

/** Reconciles `targets` with one scan of the account's tasks; every target gets an outcome. */
export async function reconcile(
  client: GoApiClient,
  targets: readonly ReconcileTarget[],
  options: ReconcileOptions,
): Promise<Map<number, ReconcileOutcome>> {
  const outcomes = new Map<number, ReconcileOutcome>()
  if (targets.length === 0) return outcomes
  const skew = options.skewMs ?? 60_000
  const maxPages = options.maxPages ?? 200
  const call = { signal: options.signal }
  const since = Math.min(...targets.map((t) => t.submittedAt)) - skew
  const candidates = new Map<string, { model?: string; taskType?: string }>()
  const note = (id: unknown, model?: unknown, taskType?: unknown) => {
    if (typeof id !== 'string' || id === '' || candidates.has(id)) return
    candidates.set(id, {
      ...(typeof model === 'string' ? { model } : {}),
      ...(typeof taskType === 'string' ? { taskType } : {}),
    })
  }
  try {
    // Open tasks first, then the history: a task that finishes in between is in the history then.
    const groups = await listActiveTasks(client, call)
    for (const group of Object.values(groups ?? {})) {
      for (const t of group?.active_tasks ?? []) note(t.task_id, t.model, t.task_type)
    }
    for (let page = 1; ; page++) {
      if (page > maxPages) throw new Error(`the task history since then has more than ${maxPages * 100} records`)
      const result = await listTaskHistory(client, { page, page_size: 100, start_time: Math.floor(since / 1000) }, call)
      const records = result?.data ?? []
      for (const r of records) note(r.task_id, r.detail?.model, r.action)
      if (records.length < 100) break
    }
  } catch (error) {
    const reason = `could not read the account's tasks: ${error instanceof Error ? error.message : String(error)}`
    for (const t of targets) outcomes.set(t.row, { kind: 'unknown', reason })
    return outcomes
  }
  const open = new Map(targets.map((t) => [t.row, t]))
  for (const [id, hint] of candidates) {
    if (open.size === 0) break
    if (
      ![...open.values()].some(
        (t) =>
          (!hint.model || hint.model === t.request.model) && (!hint.taskType || hint.taskType === t.request.task_type),
      )
    )
      continue
    const owner = await options.ownerOf(id)
    if (owner !== undefined && !open.has(owner)) continue
    let task: UntypedTask
    try {
      task = await client.getTask(id, call)
    } catch (error) {
      const reason = `could not read task ${id}: ${error instanceof Error ? error.message : String(error)}`
      for (const t of open.values()) outcomes.set(t.row, { kind: 'unknown', reason })
      return outcomes
    }
    const created = Date.parse(String(task.meta?.created_at ?? ''))
    for (const target of open.values()) {
      // A task this row claimed just before a crash (not marked running yet) is this row's; any other
      // task must match the row's model, task type and input, and have been created in its window.
      const ours =
        owner !== undefined
          ? owner === target.row
          : task.model === target.request.model &&
            task.task_type === target.request.task_type &&
            contains(task.input, target.request.input) &&
            (!Number.isFinite(created) ||
              (created >= target.submittedAt - skew && created <= target.submittedAt + options.settleMs + skew))
      if (!ours) continue
      if (!(await options.claim(target.row, task.task_id))) continue
      outcomes.set(target.row, { kind: 'found', task })
      open.delete(target.row)
      break
    }
  }
  for (const t of open.values()) outcomes.set(t.row, { kind: 'absent' })
  return outcomes
}

/** Whether `actual` holds every field of `expected` with the same value (GoAPI may add defaults). */
export function contains(actual: unknown, expected: unknown): boolean {
  if (expected === null || typeof expected !== 'object') return Object.is(actual, expected)
  if (actual === null || typeof actual !== 'object') return false
  if (Array.isArray(expected)) {
    return (
      Array.isArray(actual) && actual.length === expected.length && expected.every((v, i) => contains(actual[i], v))
    )
  }
  return Object.entries(expected).every(
    ([k, v]) => Object.hasOwn(actual, k) && contains((actual as Record<string, unknown>)[k], v),
  )
}

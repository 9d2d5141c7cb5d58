// The account routes' answers, from the simulator's state: balance, active tasks grouped by
// GoAPI's internal model names, and the paged task history.
import { POINTS_PER_USD, type Account } from './accounts.js'
import type { MockContext } from './context.js'
import { fieldError, iso } from './http.js'
import { endedAt, statusOf, type MockStatus, type MockTask } from './state.js'

/** GoAPI's internal model names (task history filter, active task groups) by family. */
const INTERNAL_MODEL: Record<string, string> = {
  midjourney: 'mj',
  suno: 'music-s',
  udio: 'music-u',
  ai_hug: 'hug_video',
}

function internalModel(task: MockTask): string {
  const family = task.entry?.family ?? task.model
  return INTERNAL_MODEL[family] ?? family
}

export function accountInfo(account: Account, now: number) {
  const frozen = account.frozen(now)
  const remain = account.credits - account.used - frozen
  return {
    id: account.id,
    name: account.name,
    plan: 'mock',
    type: 'payg',
    equivalent_in_usd: Math.round((remain / POINTS_PER_USD) * 100) / 100,
    is_enable: true,
    is_verified: true,
    ...(Number.isFinite(account.concurrency) ? { max_concurrent_task_count: account.concurrency } : {}),
    wallet: {
      id: account.id,
      point_remain: remain,
      point_frozen: frozen,
      point_used: account.used,
      auto_recharge_enabled: false,
    },
  }
}

interface ActiveGroup {
  active_tasks: Array<{ task_id: string; status: MockStatus; model: string; task_type: string }>
  pending_count: number
  processing_count: number
  staged_count: number
}

export function activeTasks(account: Account, now: number): Record<string, ActiveGroup> {
  const groups: Record<string, ActiveGroup> = {}
  for (const task of account.active(now)) {
    const status = statusOf(task, now)
    const key = internalModel(task)
    const group = (groups[key] ??= { active_tasks: [], pending_count: 0, processing_count: 0, staged_count: 0 })
    group.active_tasks.push({ task_id: task.id, status, model: task.model, task_type: task.taskType })
    if (status === 'pending') group.pending_count++
    if (status === 'processing') group.processing_count++
    if (status === 'staged') group.staged_count++
  }
  return groups
}

export function history(ctx: MockContext, query: URLSearchParams, apiKey: string, account: Account, now: number) {
  const int = (name: string, fallback: number | undefined, min: number, max: number): number | undefined => {
    const raw = query.get(name)
    if (raw === null || raw === '') return fallback
    const n = Number(raw)
    if (!Number.isInteger(n) || n < min || n > max)
      throw fieldError([{ path: name, message: `must be an integer from ${min} to ${max}` }])
    return n
  }
  const page = int('page', 1, 1, Number.MAX_SAFE_INTEGER) ?? 1
  const size = int('page_size', 10, 1, 100) ?? 10
  const start = int('start_time', undefined, 0, Number.MAX_SAFE_INTEGER)
  const end = int('end_time', undefined, 0, Number.MAX_SAFE_INTEGER)
  const model = query.get('model') || undefined
  const rows = [...ctx.state.tasks.values()]
    .filter((t) => t.apiKey === apiKey)
    .filter((t) => ['completed', 'failed'].includes(statusOf(t, now)))
    .filter((t) => !model || internalModel(t) === model)
    .filter(
      (t) => (start === undefined || t.createdAt >= start * 1000) && (end === undefined || t.createdAt < end * 1000),
    )
    .reverse()
  const records = rows.slice((page - 1) * size, page * size).map((t) => {
    const done = statusOf(t, now) === 'completed'
    return {
      id: t.seq ?? 0,
      account_id: account.id,
      api_key_id: account.id,
      task_id: t.id,
      action: t.taskType,
      task_model: internalModel(t),
      status: done ? 'finished' : 'failed',
      usage: done ? t.credits : 0,
      usage_type: 'point',
      service_mode: t.config.service_mode === 'private' ? 'private' : 'public',
      fixed: false,
      detail: { model: t.model, task_id: t.id, workflow_type: t.taskType },
      created_at: iso(t.createdAt),
      updated_at: iso(endedAt(t)),
    }
  })
  return { data: records, page, size, total: rows.length }
}

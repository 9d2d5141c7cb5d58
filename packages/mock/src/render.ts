// Renders a task as GoAPI shows it (`GET /api/v1/task/:id`, webhooks): status and times from the
// clock, progress while processing, and the completed output built from the output schema's
// example with every URL pointing at a file the simulator serves.
import { materialize } from './output.js'
import type { SpecIndex } from './spec.js'
import { endedAt, startedAt, statusOf, type MockTask } from './state.js'
import { iso } from './http.js'

const ZERO_TIME = '0001-01-01T00:00:00Z'

/** `progress` / `task_progress` while processing, for output schemas that have them. */
function progressOutput(spec: SpecIndex, task: MockTask, now: number): Record<string, number> | null {
  const schema = task.output ?? task.entry?.output
  const props = schema
    ? (spec.doc.components.schemas[schema]?.properties as Record<string, unknown> | undefined)
    : undefined
  if (!props || !('progress' in props || 'task_progress' in props)) return null
  const pct =
    task.latency.processingMs > 0
      ? Math.min(99, Math.floor((100 * (now - startedAt(task))) / task.latency.processingMs))
      : 0
  return {
    ...('progress' in props ? { progress: pct } : {}),
    ...('task_progress' in props ? { task_progress: pct } : {}),
  }
}

export function taskData(spec: SpecIndex, baseUrl: string, task: MockTask, now: number) {
  const status = statusOf(task, now)
  const started =
    (status === 'pending' || status === 'staged') && task.cancelledAt === undefined
      ? ZERO_TIME
      : iso(Math.min(startedAt(task), task.cancelledAt ?? Infinity))
  const ended = status === 'completed' || status === 'failed' ? iso(endedAt(task)) : ZERO_TIME
  let output: unknown = null
  const schema = task.output ?? task.entry?.output
  if (status === 'completed' && schema) output = materialize(spec.example(schema), baseUrl, task.id).output
  if (status === 'processing') output = progressOutput(spec, task, now)
  const error =
    status === 'failed'
      ? task.cancelledAt !== undefined
        ? { code: 10000, message: 'task canceled', raw_message: 'canceled by user', detail: null }
        : {
            code: task.failure?.code ?? 10000,
            message: task.failure?.message ?? 'task failed',
            raw_message: task.failure?.raw_message ?? '',
            detail: null,
          }
      : { code: 0, message: '', raw_message: '', detail: null }
  return {
    task_id: task.id,
    model: task.model,
    task_type: task.taskType,
    status,
    config: task.config,
    input: task.input,
    output,
    meta: {
      created_at: iso(task.createdAt),
      started_at: started,
      ended_at: ended,
      usage: { type: 'point', frozen: task.credits, consume: status === 'completed' ? task.credits : 0 },
      is_using_private_pool: task.config.service_mode === 'private',
    },
    detail: null,
    logs: [],
    error,
  }
}

/** A webhook body: the task as it is at `at`. */
export function delivery(spec: SpecIndex, baseUrl: string, task: MockTask, at: number) {
  return { timestamp: Math.floor(at / 1000), data: taskData(spec, baseUrl, task, at) }
}

// The task lifecycle's routes: create (validated per (model, task_type), paid, limited by the
// account's concurrency), read, cancel one, cancel many.
import { MAX_STAGED } from './accounts.js'
import type { MockContext } from './context.js'
import type { Fault } from './faults.js'
import { fieldError, HttpError } from './http.js'
import { delivery } from './render.js'
import { validateBody } from './request.js'
import { outputFor } from './spec.js'
import { FAIL_MARKER, statusOf, transitions, wantsFailure, type MockTask } from './state.js'

/** Points a task costs: video tasks more than the others. */
const creditsOf = (kind: string) => (kind === 'video' ? 2_000_000 : 150_000)

export function createTask(
  ctx: MockContext,
  body: unknown,
  apiKey: string,
  fault: Fault | undefined,
  size: number,
): { task: MockTask; unknown: string[] } {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new HttpError(400, 'Invalid request parameters: the body must be a JSON object')
  const { model, task_type: taskType, input } = body as Record<string, unknown>
  if (typeof model !== 'string') throw fieldError([{ path: 'model', message: 'is required and must be a string' }])
  if (typeof taskType !== 'string')
    throw fieldError([{ path: 'task_type', message: 'is required and must be a string' }])
  const entry = ctx.spec.task(model, taskType)
  if (!entry) {
    const types = ctx.spec.taskTypes(model)
    throw fieldError([
      types.length === 0
        ? { path: 'model', message: `unknown model "${model}"` }
        : {
            path: 'task_type',
            message: `model "${model}" has no task type "${taskType}" (it has: ${types.join(', ')})`,
          },
    ])
  }
  if (size > ctx.state.maxInputBytes)
    throw new HttpError(
      413,
      `Request body too large: the simulator keeps at most ${ctx.state.maxInputBytes} bytes of task input in all`,
    )
  const unknown = validateBody(ctx.spec, `#/components/schemas/${entry.request}`, body, false)
  const now = Date.now()
  const account = ctx.accounts.of(apiKey)
  const credits = creditsOf(entry.kind)
  const remain = account.remain(now)
  if (remain < credits)
    throw new HttpError(
      402,
      `insufficient credits: the task needs ${credits} points, the account has ${Math.max(0, remain)} left`,
    )
  const slot = account.nextStart(now)
  if (slot.at > now) {
    if (entry.family !== 'midjourney')
      throw new HttpError(
        429,
        `concurrent task limit reached: at most ${account.concurrency} tasks may be pending or processing at once`,
        undefined,
        { 'retry-after': String(Math.max(1, Math.ceil((slot.at - now) / 1000))) },
      )
    if (account.stagedCount(now) >= MAX_STAGED)
      throw new HttpError(429, `concurrent task limit reached and ${MAX_STAGED} Midjourney tasks are already staged`)
  }
  const config = ((body as Record<string, unknown>).config ?? {}) as {
    service_mode?: string
    webhook_config?: { endpoint?: string; secret?: string }
  }
  const failure = fault?.taskError
    ? {
        code: fault.taskError.code ?? 10000,
        message: fault.taskError.message ?? 'task failed',
        raw_message: fault.taskError.raw_message ?? 'simulated failure (fault)',
      }
    : wantsFailure(input)
      ? { code: 10000, message: 'generation failed', raw_message: `simulated failure requested with ${FAIL_MARKER}` }
      : undefined
  const task = ctx.state.add({
    apiKey,
    model,
    taskType,
    input: input as Record<string, unknown>,
    config: {
      service_mode: config.service_mode ?? '',
      webhook_config: {
        endpoint: config.webhook_config?.endpoint ?? '',
        secret: config.webhook_config?.secret ?? '',
      },
    },
    entry,
    output: outputFor(entry, input),
    createdAt: now,
    startAt: slot.at,
    latency: ctx.latencyFor(entry.family),
    failure,
    credits,
    inputBytes: size,
  })
  account.occupy(task, slot.slot)
  ctx.webhooks.schedule(task, transitions(task), (at) => delivery(ctx.spec, ctx.baseUrl(), task, at))
  return { task, unknown }
}

/** The key's task with this id; 404 otherwise (another key's task is not found either). */
export function findTask(ctx: MockContext, id: string, apiKey: string): MockTask {
  const task = ctx.state.get(id)
  if (!task || task.apiKey !== apiKey) throw new HttpError(404, `task ${id} not found`)
  return task
}

function cancel(ctx: MockContext, task: MockTask, now: number): void {
  task.cancelledAt = now
  ctx.accounts.of(task.apiKey).cancel(task)
  ctx.webhooks.interrupt(task, 'failed', delivery(ctx.spec, ctx.baseUrl(), task, now))
}

/** Cancels a staged or pending task; 400 once it started. */
export function cancelTask(ctx: MockContext, task: MockTask): void {
  const now = Date.now()
  const status = statusOf(task, now)
  if (status !== 'pending' && status !== 'staged')
    throw new HttpError(400, `task ${task.id} is not pending and cannot be canceled`)
  cancel(ctx, task, now)
}

const CANCEL_MODELS = ['kling', 'midjourney', 'suno', 'luma', 'all']

/** `DELETE /api/v1/tasks`: cancels the key's staged and pending tasks created before a time. */
export function cancelTasks(ctx: MockContext, apiKey: string, query: URLSearchParams): { canceled: number } {
  const before = Number(query.get('created_before'))
  const model = query.get('model')
  if (!query.has('created_before') || !Number.isInteger(before))
    throw fieldError([{ path: 'created_before', message: 'is required and must be a Unix time in seconds' }])
  if (!model || !CANCEL_MODELS.includes(model))
    throw fieldError([{ path: 'model', message: `must be one of ${CANCEL_MODELS.map((m) => `"${m}"`).join(', ')}` }])
  const at = Date.now()
  let canceled = 0
  for (const task of ctx.state.tasks.values()) {
    if (task.apiKey !== apiKey || task.createdAt >= before * 1000 || (model !== 'all' && task.model !== model)) continue
    const status = statusOf(task, at)
    if (status !== 'pending' && status !== 'staged') continue
    cancel(ctx, task, at)
    canceled++
  }
  return { canceled }
}

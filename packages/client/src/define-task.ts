// The one mechanism behind every family package: a typed function per (models, task type).
import type { CompletedTask, InputOf, Model, Task, TaskConfig, TaskTypeOf } from '@goapi/types'
import type { GoApiClient, RequestOptions, RunOptions } from './client.js'
import type { TaskDuration, TaskKind } from './wait.js'

/**
 * Input keys this SDK does not know, sent on purpose: GoAPI passes unknown keys through, so a
 * field newer than the spec can be sent without a cast. A key that the typed input already has is
 * a compile error here (put it in `input`, where its type is checked).
 */
export type ExtraInput<I> = { readonly [key: string]: unknown } & { readonly [K in keyof I]?: never }

export interface TaskCallOptions<M extends Model, I = unknown> {
  /** Which model of the group runs the task (default: the task type's default model, listed first). */
  model?: M
  /** Per-task options: `service_mode`, `webhook_config`. */
  config?: TaskConfig
  /**
   * Extra input keys the spec does not document, merged into `input` as given (the typed `input`
   * wins on a clash). `input` itself stays closed, so a typo of a known field is still an error.
   */
  extra?: ExtraInput<I>
}

/** A typed task function: call it to create and wait; `.create` only creates. */
export interface TaskFunction<M extends Model, T extends TaskTypeOf<M>> {
  <U extends M = M>(
    client: GoApiClient,
    input: InputOf<U, T>,
    options?: RunOptions<Task<U, T>> & TaskCallOptions<U, InputOf<U, T>>,
  ): Promise<CompletedTask<U, T>>
  /** Creates the task without waiting; wait later with `client.wait(task)`. */
  create<U extends M = M>(
    client: GoApiClient,
    input: InputOf<U, T>,
    options?: RequestOptions & TaskCallOptions<U, InputOf<U, T>>,
  ): Promise<Task<U, T>>
  /** The models that run this task type; the first is the default. */
  readonly models: readonly [M, ...M[]]
  readonly taskType: T
  /** What the task produces; paces polling. */
  readonly kind: TaskKind
  /** How long it usually takes (from the spec), the prior of `wait()`'s ETA schedule. */
  readonly duration: TaskDuration | undefined
}

/** Builds the typed function of one task type. Used by the generated family packages. */
export function defineTask<const M extends Model, const T extends TaskTypeOf<M>>(
  models: readonly [M, ...M[]],
  taskType: T,
  kind: TaskKind,
  duration?: TaskDuration,
): TaskFunction<M, T> {
  const request = (input: unknown, options: TaskCallOptions<M> | undefined) => {
    const body: { model: M; task_type: T; input: unknown; config?: TaskConfig } = {
      model: options?.model ?? models[0],
      task_type: taskType,
      input: options?.extra ? { ...options.extra, ...(input as object) } : input,
    }
    if (options?.config) body.config = options.config
    return body as never
  }
  // `onProgress` is typed for the caller (`Task<U, T>`); it receives the tasks `client.run` polls.
  const run = (client: GoApiClient, input: unknown, options?: RunOptions<never> & TaskCallOptions<M>) =>
    client.run(request(input, options), {
      kind,
      ...(duration ? { duration } : {}),
      ...(options as RunOptions | undefined),
    })
  const create = (client: GoApiClient, input: unknown, options?: RequestOptions & TaskCallOptions<M>) =>
    client.createTask(request(input, options), options)
  return Object.assign(run, { create, models, taskType, kind, duration }) as unknown as TaskFunction<M, T>
}

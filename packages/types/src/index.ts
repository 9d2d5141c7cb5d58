// @goapi/types: type-only. Generated types live in ./generated; this file adds the lookups that
// make them pleasant to use. Nothing here emits JavaScript.
import type { components, paths, webhooks, operations } from './generated/openapi.js'
import type { Family, TaskCatalog } from './generated/catalog.js'

export type { components, paths, webhooks, operations, Family, TaskCatalog }
// One named type per family schema (`FluxTxt2imgInput`, `FluxImageOutput`, ...): what `InputOf`
// and `OutputOf` resolve to, and what the family packages re-export.
export type * from './generated/schemas.js'

type Schemas = components['schemas']

/** Every model string that has at least one typed task type. */
export type Model = keyof TaskCatalog & string

/** The task types of a model (for a union of models: the task types they all share). */
export type TaskTypeOf<M extends Model> = keyof TaskCatalog[M] & string

type Entry<M extends Model, T extends TaskTypeOf<M>> = TaskCatalog[M][T] extends infer E
  ? E extends { input: unknown; output: unknown; kind: unknown; family: unknown }
    ? E
    : never
  : never

/** The `input` object of a (model, task type), e.g. `InputOf<'Qubico/flux1-schnell', 'txt2img'>`. */
export type InputOf<M extends Model, T extends TaskTypeOf<M>> = Entry<M, T>['input']

/** The `output` of a completed task of a (model, task type). */
export type OutputOf<M extends Model, T extends TaskTypeOf<M>> = Entry<M, T>['output']

/** What a (model, task type) produces: `image`, `video`, `audio`, `text` or `model3d`. */
export type KindOf<M extends Model, T extends TaskTypeOf<M>> = Entry<M, T>['kind']

/** The family (package) a (model, task type) belongs to. */
export type FamilyOf<M extends Model, T extends TaskTypeOf<M>> = Entry<M, T>['family']

export type TaskConfig = Schemas['TaskConfig']
export type TaskStatus = Schemas['TaskStatus']
export type TaskMeta = Schemas['TaskMeta']
export type TaskUsage = Schemas['TaskUsage']
export type TaskError = Schemas['TaskError']
export type TaskData = Schemas['TaskData']
export type CreateTaskRequest = Schemas['CreateTaskRequest']
export type WebhookDelivery = Schemas['WebhookDelivery']

/** The create-task body of one (model, task type). */
export interface TaskRequestOf<M extends Model, T extends TaskTypeOf<M>> {
  model: M
  task_type: T
  input: InputOf<M, T>
  config?: TaskConfig
}

/** The fields every task has, whatever its model. */
export type TaskBase = Pick<TaskData, 'task_id' | 'status' | 'config' | 'meta' | 'detail' | 'logs' | 'error'>

/**
 * A task of a known (model, task type): `output` is typed, and `null` until there is a result
 * (some families put progress there while processing).
 */
export interface Task<M extends Model, T extends TaskTypeOf<M>> extends TaskBase {
  model: M
  task_type: T
  /** The input as stored by GoAPI (it may add defaulted keys). */
  input?: Partial<InputOf<M, T>> & Record<string, unknown>
  output: OutputOf<M, T> | null
}

/** A task that finished with `status: completed`: its `output` is present. */
export interface CompletedTask<M extends Model, T extends TaskTypeOf<M>> extends Task<M, T> {
  output: OutputOf<M, T>
}

/** A task of a model or task type this SDK does not know yet: input untyped, output `unknown`. */
export interface UntypedTask extends TaskBase {
  model: string
  task_type: string
  input?: Record<string, unknown>
  output: unknown
}

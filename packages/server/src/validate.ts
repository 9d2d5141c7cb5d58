// Create requests checked against the spec before anything is billed: dispatch on (model,
// task_type) to that pair's own request schema, so errors name the failing field. The validator
// (@cfworker/json-schema) needs no code generation at run time, so it also runs in workers.
import { Validator, type OutputUnit } from '@cfworker/json-schema'
import catalog from '@goapi/spec/catalog.json' with { type: 'json' }
import openapi from '@goapi/spec/openapi.json' with { type: 'json' }

/** One problem with a create request: where (`input.width`) and what. */
export interface FieldError {
  path: string
  message: string
}

export type TaskKind = 'image' | 'video' | 'audio' | 'text' | 'model3d'

interface CatalogTask {
  taskType: string
  models: string[]
  kind: TaskKind
  request: string
}

const tasks = (catalog as { tasks: CatalogTask[] }).tasks
const components = (openapi as { components: Record<string, unknown> }).components
const byPair = new Map<string, CatalogTask>()
for (const task of tasks) for (const model of task.models) byPair.set(`${model}\u0000${task.taskType}`, task)
const compiled = { reject: new Map<string, Validator>(), forward: new Map<string, Validator>() }

/** What a create with input keys the spec does not document gets: a 400 (default) or sent on. */
export type UnknownKeys = 'reject' | 'forward'

let closed: Record<string, unknown> | undefined
/**
 * The components with every schema the published spec opened for unknown keys
 * (`x-goapi-unknown-keys: report`) closed again, walked without recursion.
 */
function closedComponents(): Record<string, unknown> {
  if (closed) return closed
  const copy = structuredClone(components)
  const stack: unknown[] = [copy]
  while (stack.length) {
    const node = stack.pop()
    if (typeof node !== 'object' || node === null) continue
    const record = node as Record<string, unknown>
    if (record['x-goapi-unknown-keys'] === 'report') record.additionalProperties = false
    for (const value of Object.values(record)) stack.push(value)
  }
  return (closed = copy)
}

/** The spec's entry for a (model, task type), or `undefined` when the spec does not know the pair. */
export function specTask(model: string, taskType: string): { kind: TaskKind; request: string } | undefined {
  return byPair.get(`${model}\u0000${taskType}`)
}

/** The task types the spec knows for `model` (empty for an unknown model). */
export function specTaskTypes(model: string): string[] {
  return tasks.filter((t) => t.models.includes(model)).map((t) => t.taskType)
}

// Keywords that only say "a part below failed"; the leaves below them carry the useful message.
const COMPOSITE = new Set(['$ref', '$dynamicRef', 'properties', 'patternProperties', 'items', 'prefixItems'])
const COMBINATOR = new Set(['allOf', 'anyOf', 'oneOf', 'if', 'then', 'else', 'additionalProperties'])

function fieldPath(instanceLocation: string): string {
  const parts = instanceLocation
    .replace(/^#\/?/, '')
    .split('/')
    .filter((p) => p !== '')
    .map((p) => decodeURIComponent(p).replaceAll('~1', '/').replaceAll('~0', '~'))
  return parts.length ? parts.join('.') : '(body)'
}

export function simplify(units: OutputUnit[]): FieldError[] {
  const leaves = units.filter((u) => !COMPOSITE.has(u.keyword) && !COMBINATOR.has(u.keyword))
  const list = (leaves.length ? leaves : units).map((u) => ({
    path: fieldPath(u.instanceLocation),
    message: u.keyword === 'false' ? 'is not a known field' : u.error,
  }))
  const seen = new Set<string>()
  return list.filter((e) => {
    const key = `${e.path}\u0000${e.message}`
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}

/**
 * Validates a create-task body against the spec. Returns the field errors (empty when valid);
 * an unknown model or task type is an error on `model` or `task_type`. With `unknownKeys:
 * 'reject'` (the default) an input key the spec does not document is an error too.
 */
export function validateCreate(body: Record<string, unknown>, unknownKeys: UnknownKeys = 'reject'): FieldError[] {
  const { model, task_type: taskType } = body
  if (typeof model !== 'string') return [{ path: 'model', message: 'is required and must be a string' }]
  if (typeof taskType !== 'string') return [{ path: 'task_type', message: 'is required and must be a string' }]
  const task = specTask(model, taskType)
  if (!task) {
    const types = specTaskTypes(model)
    return [
      types.length === 0
        ? { path: 'model', message: `unknown model "${model}"` }
        : {
            path: 'task_type',
            message: `model "${model}" has no task type "${taskType}" (it has: ${types.join(', ')})`,
          },
    ]
  }
  const cache = compiled[unknownKeys]
  let validator = cache.get(task.request)
  if (!validator) {
    const schemas = unknownKeys === 'reject' ? closedComponents() : components
    validator = new Validator({ $ref: `#/components/schemas/${task.request}`, components: schemas }, '2020-12', false)
    cache.set(task.request, validator)
  }
  const result = validator.validate(body)
  return result.valid ? [] : simplify(result.errors)
}

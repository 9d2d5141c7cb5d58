// The spec and catalog as the CLI uses them: resolving `<family|model> <task_type>`, building and
// validating a request, and describing a task's input fields. Everything comes from @goapi/spec.
import { SpecIndex, type CatalogTask } from '@goapi/mock'
import { CliError, EXIT } from './errors.js'
import { didYouMean } from './suggest.js'

type Schema = Record<string, unknown>

let index: SpecIndex | undefined
/** The spec index, loaded once on first use. */
export function spec(): SpecIndex {
  index ??= new SpecIndex()
  return index
}

export interface Target {
  entry: CatalogTask
  model: string
}

const camel = (s: string) => s.replace(/[-_.]+([a-z0-9])/gi, (_m, c: string) => c.toUpperCase())

/**
 * Resolves what to run. `name` is a family (`flux`) or a model (`Qubico/flux1-dev`); `task` is a task type
 * (`txt2img`) or, for a family, one of its function names (`turboVideoGeneration`).
 */
export function resolveTarget(name: string, task: string | undefined, model?: string): Target {
  const s = spec()
  const family = s.catalog.families.find((f) => f.name === name)
  if (family) {
    const tasks = s.catalog.tasks.filter((t) => t.family === family.name && (!model || t.models.includes(model)))
    const routes = (s.catalog.operations ?? []).filter((o) => o.family === family.name)
    if (!s.catalog.tasks.some((t) => t.family === family.name))
      throw new CliError(
        `${family.name} has no task types: ${routes.length > 0 ? `its routes are commands, see: goapi ${family.name} --help` : 'see goapi models'}`,
        EXIT.usage,
      )
    const list = () =>
      tasks.map((t) => (t.function === camel(t.taskType) ? t.taskType : `${t.taskType} (or ${t.function})`)).join(', ')
    if (!task) throw new CliError(`Missing task type for ${family.name}. It has: ${list()}`, EXIT.usage)
    let entry = tasks.find((t) => t.function === task)
    if (!entry) {
      const byType = tasks.filter((t) => t.taskType === task)
      entry = byType.length === 1 ? byType[0] : byType.find((t) => t.function === camel(task))
      if (!entry && byType.length > 1) {
        throw new CliError(
          `"${task}" is ambiguous in ${family.name}: use one of ${byType.map((t) => t.function).join(', ')}, or pass --model (${byType.map((t) => t.models.join('|')).join(' / ')})`,
          EXIT.usage,
        )
      }
    }
    if (!entry) {
      if (model && !s.catalog.tasks.some((t) => t.family === family.name && t.models.includes(model))) {
        throw new CliError(
          `${family.name} has no model "${model}".${didYouMean(model, familyModels(family.name))} Models: ${familyModels(family.name).join(', ')}`,
          EXIT.usage,
        )
      }
      const names = tasks.flatMap((t) => [t.taskType, t.function])
      throw new CliError(
        `${family.name} has no task type "${task}".${didYouMean(task, names)} It has: ${list()}`,
        EXIT.usage,
      )
    }
    const chosen = model ?? entry.defaultModel
    if (!chosen || !entry.models.includes(chosen))
      throw new CliError(
        `${entry.taskType} of ${family.name} runs on ${entry.models.join(', ')}, not "${model}".${didYouMean(String(model), entry.models)}`,
        EXIT.usage,
      )
    return { entry, model: chosen }
  }
  const asModel = model ?? name
  const types = s.taskTypes(asModel)
  if (types.length === 0) {
    const known = [...s.catalog.families.map((f) => f.name), ...s.catalog.tasks.flatMap((t) => t.models)]
    throw new CliError(
      `Unknown family or model "${asModel}".${didYouMean(asModel, known)} See the list with: goapi models`,
      EXIT.usage,
    )
  }
  if (!task) throw new CliError(`Missing task type for ${asModel}. It has: ${types.join(', ')}`, EXIT.usage)
  const entry = s.task(asModel, task)
  if (!entry)
    throw new CliError(
      `Model ${asModel} has no task type "${task}".${didYouMean(task, types)} It has: ${types.join(', ')}`,
      EXIT.usage,
    )
  return { entry, model: asModel }
}

export function familyModels(family: string): string[] {
  return [
    ...new Set(
      spec()
        .catalog.tasks.filter((t) => t.family === family)
        .flatMap((t) => t.models),
    ),
  ]
}

/** A component schema with `$ref` followed and `allOf` merged (enough for describing fields). */
export function schemaOf(nameOrSchema: string | Schema | undefined, depth = 0): Schema {
  if (depth > 8 || nameOrSchema === undefined) return {}
  const schemas = spec().doc.components.schemas
  let schema: Schema = typeof nameOrSchema === 'string' ? (schemas[nameOrSchema] ?? {}) : nameOrSchema
  const ref = schema.$ref
  if (typeof ref === 'string') schema = { ...schemaOf(ref.split('/').pop(), depth + 1), ...withoutKey(schema, '$ref') }
  if (Array.isArray(schema.allOf)) {
    const parts = (schema.allOf as Schema[]).map((p) => schemaOf(p, depth + 1))
    const properties = Object.assign({}, ...parts.map((p) => p.properties ?? {}), schema.properties ?? {}) as Record<
      string,
      Schema
    >
    const required = [
      ...parts.flatMap((p) => (p.required as string[] | undefined) ?? []),
      ...((schema.required as string[] | undefined) ?? []),
    ]
    schema = { ...Object.assign({}, ...parts), ...withoutKey(schema, 'allOf'), properties, required }
  }
  return schema
}

function withoutKey(schema: Schema, key: string): Schema {
  const copy = { ...schema }
  delete copy[key]
  return copy
}

export interface Field {
  name: string
  type: string
  required: boolean
  /** Known values, from `enum`/`const` (also inside `anyOf`/`oneOf` branches). */
  values?: unknown[]
  /** Whether values outside `values` are accepted too (a branch without an enum). */
  open?: boolean
  description: string
}

/** The top-level fields of a task's input. */
export function inputFields(entry: CatalogTask): Field[] {
  const schema = schemaOf(entry.input)
  const required = new Set((schema.required as string[] | undefined) ?? [])
  return Object.entries((schema.properties ?? {}) as Record<string, Schema>).map(([name, raw]) => {
    const p = schemaOf(raw)
    const branches = ((p.anyOf ?? p.oneOf ?? [p]) as Schema[]).map((b) => schemaOf(b))
    const listed = branches.map((b) => (Array.isArray(b.enum) ? b.enum : b.const !== undefined ? [b.const] : undefined))
    const values = listed.some((v) => v) ? [...new Set(listed.flatMap((v) => v ?? []))] : undefined
    const open = values !== undefined && listed.some((v) => !v)
    return {
      name,
      type: typeName(p),
      required: required.has(name),
      ...(values ? { values, ...(open ? { open } : {}) } : {}),
      description: String(p.description ?? '').split('\n')[0] ?? '',
    }
  })
}

function typeName(p: Schema): string {
  if (Array.isArray(p.type)) return p.type.join('|')
  if (typeof p.type === 'string')
    return p.type === 'array' ? `${typeName(schemaOf(p.items as Schema | undefined))}[]` : p.type
  for (const key of ['oneOf', 'anyOf'] as const)
    if (Array.isArray(p[key])) return [...new Set((p[key] as Schema[]).map((x) => typeName(schemaOf(x))))].join('|')
  return 'any'
}

/** Turns `--input key=value` text into the JSON value the input schema expects at `path`. */
export function coerce(entry: CatalogTask, path: string[], text: string): unknown {
  let schema: Schema = schemaOf(entry.input)
  for (const key of path) schema = schemaOf(((schema.properties ?? {}) as Record<string, Schema>)[key])
  const types = Array.isArray(schema.type)
    ? (schema.type as string[])
    : typeof schema.type === 'string'
      ? [schema.type]
      : []
  if (types.length === 1 && types[0] === 'string') return text
  try {
    return JSON.parse(text) as unknown
  } catch {
    return text
  }
}

/** Sets `value` at a dotted path inside `target`, creating objects on the way. */
export function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target
  path.forEach((key, i) => {
    if (i === path.length - 1) {
      node[key] = value
      return
    }
    const next = node[key]
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[key] = {}
    node = node[key] as Record<string, unknown>
  })
}

export interface Request {
  model: string
  task_type: string
  input: Record<string, unknown>
  config?: Record<string, unknown>
}

/**
 * Checks a request against its (model, task type) schema; returns readable problems (empty when
 * valid). Keys the spec does not know are not problems (GoAPI passes them through; see
 * spec/README.md, "Unknown input keys"): each is reported once through `warn`, by default as a
 * `warning:` line on stderr, and the request is sent as given.
 */
export function validate(
  entry: CatalogTask,
  request: Request,
  warn: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): string[] {
  const unknown = unknownKeys(entry, request)
  if (unknown.length > 0) {
    const fields = inputFields(entry).map((f) => `input.${f.name}`)
    const hints = unknown.map((k) => didYouMean(k, fields)).filter((h) => h !== '')
    warn(
      `warning: ${entry.taskType} does not document ${unknown.map(quoteKey).join(', ')}; sent as given (GoAPI passes unknown keys through).${hints.join('')}`,
    )
  }
  return spec()
    .check(entry.request, request)
    .map((e) => `${e.path}: ${e.message}`)
}

/**
 * The dotted paths of the keys in `request` that the spec does not know: keys of a schema marked
 * `x-goapi-unknown-keys: report` that are not among its `properties`, at any depth of nested objects.
 */
export function unknownKeys(entry: CatalogTask, request: Request): string[] {
  const found: string[] = []
  const walk = (value: unknown, schema: Schema, path: string[]) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return
    const properties = (schema.properties ?? {}) as Record<string, Schema>
    for (const [key, child] of Object.entries(value)) {
      if (key in properties) walk(child, schemaOf(properties[key]), [...path, key])
      else if (schema['x-goapi-unknown-keys'] === 'report') found.push([...path, key].join('.'))
    }
  }
  walk(request, schemaOf(entry.request), [])
  return found
}

/** A key name from user input as it is shown in a warning: quoted, control characters escaped. */
function quoteKey(key: string): string {
  return JSON.stringify(key).replace(
    /[\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  )
}

// Loads the bundled spec and catalog from @goapi/spec and validates create requests by
// dispatching on (model, task_type) to that pair's own schema, so errors name the failing field.
import { createRequire } from 'node:module'
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js'
import addFormatsModule from 'ajv-formats'

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020
const require = createRequire(import.meta.url)

export interface CatalogTask {
  family: string
  taskType: string
  models: string[]
  kind: 'image' | 'video' | 'audio' | 'text' | 'model3d'
  function: string
  request: string
  input: string
  output: string
  /** Other output shapes the input selects (first match wins, else `output`). */
  variants?: OutputVariant[]
  summary: string
}

/** An output shape chosen by input values: `{ when: { version: ['3.0'] }, output: 'KlingVideo3Output' }`. */
export interface OutputVariant {
  /** Input field (dotted path) → the value, or one of the values, it must have. */
  when: Record<string, unknown>
  output: string
}

/** The output schema a task's input selects: the first matching variant's, else the task's own. */
export function outputFor(task: CatalogTask, input: unknown): string {
  const valueAt = (path: string): unknown =>
    path
      .split('.')
      .reduce<unknown>(
        (v, key) => (typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[key] : undefined),
        input,
      )
  const matches = (variant: OutputVariant) =>
    Object.entries(variant.when).every(([path, wanted]) => {
      const value = valueAt(path)
      return (Array.isArray(wanted) ? wanted : [wanted]).some((w) => w === value)
    })
  return task.variants?.find(matches)?.output ?? task.output
}

/** A non-task operation of the catalog (LLM, GPTs, upload, ...). */
export interface CatalogOperation {
  family: string
  function: string
  operationId: string
  method: string
  path: string
  servers: string[]
  response: string
}

export interface Catalog {
  families: Array<{ name: string; title: string; description: string }>
  tasks: CatalogTask[]
  operations?: CatalogOperation[]
}

type Schema = Record<string, unknown>
export interface OpenApiDoc {
  components: { schemas: Record<string, Schema> }
  [key: string]: unknown
}

const DOC_ID = 'https://goapi.local/openapi.json'

export interface FieldError {
  path: string
  message: string
}

export class SpecIndex {
  readonly doc: OpenApiDoc
  readonly catalog: Catalog
  private readonly ajv: Ajv2020
  /** Form fields and query values arrive as strings: this one coerces them (made on first use). */
  private coercingAjv: Ajv2020 | undefined
  private readonly byPair = new Map<string, CatalogTask>()
  private readonly compiled = new Map<string, ValidateFunction>()

  constructor(doc?: OpenApiDoc, catalog?: Catalog) {
    this.doc = doc ?? (require('@goapi/spec/openapi.json') as OpenApiDoc)
    this.catalog = catalog ?? (require('@goapi/spec/catalog.json') as Catalog)
    this.ajv = makeAjv({}, this.doc)
    for (const task of this.catalog.tasks)
      for (const model of task.models) this.byPair.set(`${model}\u0000${task.taskType}`, task)
  }

  task(model: string, taskType: string): CatalogTask | undefined {
    return this.byPair.get(`${model}\u0000${taskType}`)
  }

  models(): string[] {
    return [...new Set(this.catalog.tasks.flatMap((t) => t.models))].sort()
  }

  taskTypes(model: string): string[] {
    return this.catalog.tasks.filter((t) => t.models.includes(model)).map((t) => t.taskType)
  }

  validator(schemaName: string): ValidateFunction {
    return this.validatorAt(`#/components/schemas/${schemaName}`)
  }

  /** A validator for the schema at a JSON pointer of the document (`#/paths/...`); `coerce` for form fields. */
  validatorAt(pointer: string, coerce = false): ValidateFunction {
    const key = `${coerce ? 'c' : ''}${pointer}`
    let v = this.compiled.get(key)
    if (!v) {
      const ajv = coerce ? (this.coercingAjv ??= makeAjv({ coerceTypes: 'array' }, this.doc)) : this.ajv
      v = ajv.compile({ $ref: `${DOC_ID}${pointer}` })
      this.compiled.set(key, v)
    }
    return v
  }

  /** Validates `value` against a component schema; returns the field errors (empty when valid). */
  check(schemaName: string, value: unknown): FieldError[] {
    return this.checkAt(`#/components/schemas/${schemaName}`, value)
  }

  /** Validates `value` against the schema at a JSON pointer; returns the field errors (empty when valid). */
  checkAt(pointer: string, value: unknown, coerce = false): FieldError[] {
    const validate = this.validatorAt(pointer, coerce)
    if (validate(value)) return []
    return simplify(validate.errors ?? [])
  }

  /** The schema at a JSON pointer of the document (`#/components/schemas/X`), `$ref`s not followed. */
  at(pointer: string): Schema | undefined {
    let node: unknown = this.doc
    for (const raw of pointer.replace(/^#\//, '').split('/')) {
      if (typeof node !== 'object' || node === null) return undefined
      node = (node as Record<string, unknown>)[raw.replaceAll('~1', '/').replaceAll('~0', '~')]
    }
    return typeof node === 'object' && node !== null ? (node as Schema) : undefined
  }

  /** The first `examples` entry of a component schema. */
  example(schemaName: string): unknown {
    const examples = this.doc.components.schemas[schemaName]?.examples
    return Array.isArray(examples) ? examples[0] : undefined
  }
}

function makeAjv(options: { coerceTypes?: 'array' }, doc: OpenApiDoc): Ajv2020 {
  const ajv = new Ajv2020({ strict: false, allErrors: true, ...options })
  addFormats(ajv)
  for (const keyword of ['discriminator', 'xml', 'externalDocs', 'example']) ajv.addKeyword(keyword)
  ajv.addSchema({ ...doc, $id: DOC_ID })
  return ajv
}

function simplify(errors: ErrorObject[]): FieldError[] {
  // Composite keywords repeat their branches' errors; keep the most specific ones.
  const specific = errors.filter((e) => !['anyOf', 'oneOf', 'allOf', 'if'].includes(e.keyword))
  const list = (specific.length > 0 ? specific : errors).map((e) => {
    const path = e.instancePath.replace(/^\//, '').replaceAll('/', '.') || '(body)'
    let message = e.message ?? 'is invalid'
    if (e.keyword === 'additionalProperties' && 'additionalProperty' in e.params)
      message = `has unknown field "${String(e.params.additionalProperty)}"`
    if (e.keyword === 'enum' && 'allowedValues' in e.params)
      message = `must be one of ${(e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`
    if (e.keyword === 'const' && 'allowedValue' in e.params)
      message = `must be ${JSON.stringify(e.params.allowedValue)}`
    return {
      path:
        e.keyword === 'additionalProperties' && 'additionalProperty' in e.params
          ? `${path === '(body)' ? '' : `${path}.`}${String(e.params.additionalProperty)}`
          : path,
      message,
    }
  })
  const seen = new Set<string>()
  return list.filter((e) => {
    const key = `${e.path} ${e.message}`
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}

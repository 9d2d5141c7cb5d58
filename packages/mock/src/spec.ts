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
  /** The model that runs when none is named (`x-goapi-task.defaultModel` in the spec). */
  defaultModel: string
  kind: 'image' | 'video' | 'audio' | 'text' | 'model3d'
  function: string
  request: string
  input: string
  output: string
  summary: string
}

export interface Catalog {
  families: Array<{ name: string; title: string; description: string }>
  tasks: CatalogTask[]
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
  private readonly byPair = new Map<string, CatalogTask>()
  private readonly compiled = new Map<string, ValidateFunction>()

  constructor(doc?: OpenApiDoc, catalog?: Catalog) {
    this.doc = doc ?? (require('@goapi/spec/openapi.json') as OpenApiDoc)
    this.catalog = catalog ?? (require('@goapi/spec/catalog.json') as Catalog)
    this.ajv = new Ajv2020({ strict: false, allErrors: true })
    addFormats(this.ajv)
    for (const keyword of ['discriminator', 'xml', 'externalDocs', 'example']) this.ajv.addKeyword(keyword)
    this.ajv.addSchema({ ...this.doc, $id: DOC_ID })
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
    let v = this.compiled.get(schemaName)
    if (!v) {
      v = this.ajv.compile({ $ref: `${DOC_ID}#/components/schemas/${schemaName}` })
      this.compiled.set(schemaName, v)
    }
    return v
  }

  /** Validates `value` against a component schema; returns the field errors (empty when valid). */
  check(schemaName: string, value: unknown): FieldError[] {
    const validate = this.validator(schemaName)
    if (validate(value)) return []
    return simplify(validate.errors ?? [])
  }

  /** The first `examples` entry of a component schema. */
  example(schemaName: string): unknown {
    const examples = this.doc.components.schemas[schemaName]?.examples
    return Array.isArray(examples) ? examples[0] : undefined
  }
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

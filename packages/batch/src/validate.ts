// Checks a create-task request against the bundled spec (@goapi/spec) before anything is billed:
// the (model, task_type) pair must exist and the body must match that pair's own request schema,
// so a problem names the failing field. Shared by the library and the CLI (which depends on us).
import { createRequire } from 'node:module'
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js'
import addFormatsModule from 'ajv-formats'

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020
const require = createRequire(import.meta.url)
const DOC_ID = 'https://goapi.local/openapi.json'

/** One task type of the catalog (`@goapi/spec/catalog.json`). */
export interface CatalogEntry {
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
}

type Schema = Record<string, unknown>
interface Doc {
  components: { schemas: Record<string, Schema> }
}

/** A create-task request as one JSONL line or one CSV row gives it. */
export interface BatchRequest {
  model: string
  task_type: string
  input: Record<string, unknown>
  config?: Record<string, unknown>
}

/** Validates create-task requests against the spec. One instance compiles each schema once. */
export class RequestValidator {
  private readonly ajv: Ajv2020
  private readonly doc: Doc
  private readonly tasks: CatalogEntry[]
  private readonly byPair = new Map<string, CatalogEntry>()
  private readonly compiled = new Map<string, ValidateFunction>()

  constructor() {
    this.doc = require('@goapi/spec/openapi.json') as Doc
    this.tasks = (require('@goapi/spec/catalog.json') as { tasks: CatalogEntry[] }).tasks
    this.ajv = new Ajv2020({ strict: false, allErrors: true })
    addFormats(this.ajv)
    for (const keyword of ['discriminator', 'xml', 'externalDocs', 'example']) this.ajv.addKeyword(keyword)
    this.ajv.addSchema({ ...this.doc, $id: DOC_ID })
    for (const task of this.tasks)
      for (const model of task.models) this.byPair.set(`${model}\u0000${task.taskType}`, task)
  }

  /** The catalog entry of a (model, task type), if the spec has it. */
  entry(model: string, taskType: string): CatalogEntry | undefined {
    return this.byPair.get(`${model}\u0000${taskType}`)
  }

  /** The catalog entries of a family (`flux`), optionally of one task type. */
  familyTasks(family: string): CatalogEntry[] {
    return this.tasks.filter((t) => t.family === family)
  }

  /** The JSON Schema `type`s of a top-level input field (empty when unknown). */
  inputFieldTypes(entry: CatalogEntry, field: string): string[] {
    const schema = this.resolve(this.doc.components.schemas[entry.input])
    const property = this.resolve(((schema.properties ?? {}) as Record<string, Schema>)[field])
    const types = new Set<string>()
    const visit = (s: Schema, depth: number) => {
      if (depth > 4) return
      if (typeof s.type === 'string') types.add(s.type)
      if (Array.isArray(s.type)) for (const t of s.type) types.add(String(t))
      for (const key of ['anyOf', 'oneOf'] as const)
        if (Array.isArray(s[key])) for (const b of s[key] as Schema[]) visit(this.resolve(b), depth + 1)
    }
    visit(property, 0)
    return [...types]
  }

  /**
   * Problems with a request, as `path: message` lines (empty when it may be sent): not an object,
   * an unknown model or task type, or a field the pair's schema rejects.
   */
  check(request: unknown): string[] {
    if (typeof request !== 'object' || request === null || Array.isArray(request))
      return ['(row): must be a JSON object {"model", "task_type", "input", "config"?}']
    const { model, task_type: taskType } = request as Record<string, unknown>
    if (typeof model !== 'string') return ['model: is required and must be a string']
    if (typeof taskType !== 'string') return ['task_type: is required and must be a string']
    const entry = this.entry(model, taskType)
    if (!entry) {
      const types = this.tasks.filter((t) => t.models.includes(model)).map((t) => t.taskType)
      return types.length === 0
        ? [`model: unknown model ${JSON.stringify(model)}`]
        : [
            `task_type: model ${JSON.stringify(model)} has no task type ${JSON.stringify(taskType)} (it has: ${types.join(', ')})`,
          ]
    }
    const validate = this.validator(entry.request)
    if (validate(request)) return []
    return simplify(validate.errors ?? [])
  }

  private validator(schemaName: string): ValidateFunction {
    let v = this.compiled.get(schemaName)
    if (!v) {
      v = this.ajv.compile({ $ref: `${DOC_ID}#/components/schemas/${schemaName}` })
      this.compiled.set(schemaName, v)
    }
    return v
  }

  private resolve(schema: Schema | undefined, depth = 0): Schema {
    if (!schema || depth > 8) return {}
    const ref = schema.$ref
    if (typeof ref === 'string') return this.resolve(this.doc.components.schemas[ref.split('/').pop() ?? ''], depth + 1)
    if (Array.isArray(schema.allOf)) {
      const parts = (schema.allOf as Schema[]).map((p) => this.resolve(p, depth + 1))
      const properties = Object.assign({}, ...parts.map((p) => p.properties ?? {}), schema.properties ?? {}) as Schema
      return { ...Object.assign({}, ...parts), ...schema, properties }
    }
    return schema
  }
}

function simplify(errors: ErrorObject[]): string[] {
  // Composite keywords repeat their branches' errors; keep the most specific ones.
  const specific = errors.filter((e) => !['anyOf', 'oneOf', 'allOf', 'if'].includes(e.keyword))
  const lines = (specific.length > 0 ? specific : errors).map((e) => {
    let path = e.instancePath.replace(/^\//, '').replaceAll('/', '.') || '(row)'
    let message = e.message ?? 'is invalid'
    if (e.keyword === 'additionalProperties' && 'additionalProperty' in e.params) {
      path = `${path === '(row)' ? '' : `${path}.`}${String(e.params.additionalProperty)}`
      message = 'is not a field of this task type'
    }
    if (e.keyword === 'enum' && 'allowedValues' in e.params)
      message = `must be one of ${(e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`
    if (e.keyword === 'const' && 'allowedValue' in e.params)
      message = `must be ${JSON.stringify(e.params.allowedValue)}`
    return `${path}: ${message}`
  })
  return [...new Set(lines)]
}

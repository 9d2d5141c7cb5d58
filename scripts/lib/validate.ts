// Validates a bundled document: the conventions the code generators rely on (see spec/README.md),
// and every example against the published document (Ajv, JSON Schema 2020-12).
//
// Examples are validated twice, each once: against the schemas as written, by Redocly's lint
// (`no-invalid-schema-examples` and `no-invalid-media-type-examples`, which lib/lint-worker.mjs
// requires to be errors; stricter than Ajv here: an undeclared key fails unless the schema allows
// extra keys), and by `checkExamples` below against the published, opened document (what runtime
// validators see). With both passing, every task request example also matches exactly one
// `CreateTaskRequest` branch as written: a branch that accepts it closed accepts it opened.
import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js'
import addFormatsModule from 'ajv-formats'
import { camelCase, isObject, schemaRefName, type FamilyMeta, type Json, type JsonObject } from './spec-files.js'

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020

export const TASK_KINDS = ['image', 'video', 'audio', 'text', 'model3d'] as const
export type TaskKind = (typeof TASK_KINDS)[number]

/**
 * An output variant: when every `when` field of the input equals one of its values, the completed
 * output follows `output` instead of the task's default output (first match wins).
 */
export type TaskVariant = {
  /** input field → the values that select this variant (a single value in the spec becomes a list) */
  when: Record<string, Json[]>
  output: string
}

export interface TaskEntry {
  family: string
  request: string
  input: string
  output: string
  variants: TaskVariant[]
  models: string[]
  /** The model that runs when the caller names none (`x-goapi-task.defaultModel`, or the only model). */
  defaultModel: string
  taskType: string
  kind: TaskKind
  /** `x-goapi-task.duration`: the prior of the client's ETA polling (spec/README.md, "Durations"). */
  duration?: { typicalMs: number; p90Ms: number }
  functionName: string
  summary: string
  description: string
  example: JsonObject
}

const DOC_ID = 'https://goapi.local/openapi.json'

export function createAjv(doc: JsonObject): Ajv2020 {
  // `inlineRefs: false` compiles each referenced schema once instead of into every user, and the
  // code optimizer's pass is skipped: together about a third less compile time, same validation.
  const ajv = new Ajv2020({
    strict: false,
    allErrors: true,
    validateFormats: true,
    inlineRefs: false,
    code: { optimize: false },
  })
  addFormats(ajv)
  // OpenAPI keywords and our own extensions are annotations, not constraints.
  for (const keyword of ['discriminator', 'xml', 'externalDocs', 'example']) ajv.addKeyword(keyword)
  ajv.addSchema({ ...doc, $id: DOC_ID } as object)
  return ajv
}

export function schemaRef(name: string): string {
  return `${DOC_ID}#/components/schemas/${name}`
}

function formatErrors(errors: ErrorObject[] | null | undefined): string {
  return (errors ?? [])
    .slice(0, 8)
    .map(
      (e) =>
        `${e.instancePath || '/'} ${e.message ?? ''}${e.params && 'allowedValues' in e.params ? ` (${JSON.stringify(e.params.allowedValues)})` : ''}`,
    )
    .join('; ')
}

function firstSentence(text: string): string {
  const m = /^(.+?[.!?])(\s|$)/s.exec(text.trim())
  return (m?.[1] ?? text.trim()).replace(/\s+/g, ' ')
}

export interface ValidationResult {
  errors: string[]
  tasks: TaskEntry[]
}

/**
 * Every `examples` entry of every component schema, every media-type example of every operation,
 * and every task request example as a `createSchema` body: each must validate. Run on the opened
 * published document (`openForRuntime`).
 */
export function checkExamples(doc: JsonObject, createSchema: string): { errors: string[]; examplesChecked: number } {
  const errors: string[] = []
  const ajv = createAjv(doc)
  const schemas = isObject(doc.components) && isObject(doc.components.schemas) ? doc.components.schemas : {}
  let examplesChecked = 0
  // 1. every `examples` entry of every component schema validates against it
  for (const [name, schema] of Object.entries(schemas)) {
    if (!isObject(schema) || !Array.isArray(schema.examples)) continue
    const validate = ajv.getSchema(schemaRef(name))
    if (!validate) {
      errors.push(`schema ${name}: cannot compile`)
      continue
    }
    schema.examples.forEach((example, i) => {
      examplesChecked++
      if (!validate(example)) errors.push(`schema ${name} examples[${i}]: ${formatErrors(validate.errors)}`)
    })
  }

  // 2. media-type examples of every operation validate against the media type's schema
  const operations: Array<{ where: string; op: JsonObject }> = []
  for (const group of ['paths', 'webhooks'] as const) {
    const items = isObject(doc[group]) ? doc[group] : {}
    for (const [p, item] of Object.entries(items)) {
      if (!isObject(item)) continue
      for (const method of ['get', 'post', 'put', 'patch', 'delete']) {
        const op = item[method]
        if (isObject(op)) operations.push({ where: `${method.toUpperCase()} ${p}`, op })
      }
    }
  }
  for (const { where, op } of operations) {
    const bodies: Array<[string, Json | undefined]> = [['requestBody', op.requestBody]]
    if (isObject(op.responses))
      for (const [code, r] of Object.entries(op.responses)) bodies.push([`response ${code}`, r])
    for (const [label, body] of bodies) {
      if (!isObject(body) || !isObject(body.content)) continue
      for (const [mediaType, media] of Object.entries(body.content)) {
        if (!isObject(media) || !isObject(media.schema)) continue
        const samples: Json[] = []
        if ('example' in media) samples.push(media.example ?? null)
        if (isObject(media.examples))
          for (const ex of Object.values(media.examples))
            if (isObject(ex) && 'value' in ex) samples.push(ex.value ?? null)
        if (samples.length === 0) continue
        const validate = ajv.compile({ allOf: [rewriteRefs(media.schema)] })
        samples.forEach((sample, i) => {
          examplesChecked++
          if (!validate(sample))
            errors.push(`${where} ${label} ${mediaType} example ${i}: ${formatErrors(validate.errors)}`)
        })
      }
    }
  }

  const validateCreate = ajv.getSchema(schemaRef(createSchema))
  for (const [name, schema] of Object.entries(schemas)) {
    if (!isObject(schema) || !isObject(schema['x-goapi-task']) || !validateCreate) continue
    const examples = Array.isArray(schema.examples) ? schema.examples : []
    examples.forEach((example, i) => {
      if (!validateCreate(example))
        errors.push(
          `request ${name} examples[${i}] is not a valid ${createSchema}: ${formatErrors(validateCreate.errors)}`,
        )
    })
  }
  return { errors, examplesChecked }
}

/** Checks the conventions; returns the task catalog derived from the request schemas. */
export function validateBundle(doc: JsonObject, families: FamilyMeta[]): ValidationResult {
  const errors: string[] = []
  // Compiles only what `x-goapi-task.variants` check (input properties), on the closed bundle.
  const ajv = createAjv(doc)
  const schemas = isObject(doc.components) && isObject(doc.components.schemas) ? doc.components.schemas : {}
  const familyOf = new Map<string, string>()
  for (const f of families) for (const n of f.schemaNames) familyOf.set(n, f.name)

  // 3. task request conventions and the catalog
  const tasks: TaskEntry[] = []
  const pairs = new Map<string, string>()
  for (const [name, schema] of Object.entries(schemas)) {
    if (!isObject(schema) || !isObject(schema['x-goapi-task'])) continue
    const ext = schema['x-goapi-task']
    const where = `request ${name}`
    const family = familyOf.get(name)
    if (!family) errors.push(`${where}: not defined in any spec/families file`)
    const props = isObject(schema.properties) ? schema.properties : {}
    const model = isObject(props.model) ? props.model : {}
    const models = Array.isArray(model.enum) ? model.enum : typeof model.const === 'string' ? [model.const] : []
    const taskTypeSchema = isObject(props.task_type) ? props.task_type : {}
    const taskType = taskTypeSchema.const
    const input = schemaRefName(props.input)
    const output = typeof ext.output === 'string' ? ext.output : undefined
    const kind = ext.kind
    const required = Array.isArray(schema.required) ? schema.required : []
    if (models.length === 0 || !models.every((m): m is string => typeof m === 'string'))
      errors.push(`${where}: properties.model needs a string enum or const`)
    if (typeof taskType !== 'string') errors.push(`${where}: properties.task_type needs a string const`)
    if (!input) errors.push(`${where}: properties.input must be a $ref to an input schema`)
    if (!output || !isObject(schemas[output]))
      errors.push(`${where}: x-goapi-task.output must name a component schema (got ${String(ext.output)})`)
    if (typeof kind !== 'string' || !(TASK_KINDS as readonly string[]).includes(kind))
      errors.push(`${where}: x-goapi-task.kind must be one of ${TASK_KINDS.join(', ')}`)
    for (const key of ['model', 'task_type', 'input'])
      if (!required.includes(key)) errors.push(`${where}: must require ${key}`)
    if (schema.additionalProperties !== false) errors.push(`${where}: must set additionalProperties: false`)
    if (schemaRefName(props.config) !== 'TaskConfig')
      errors.push(`${where}: properties.config must $ref unified TaskConfig`)
    const examples = Array.isArray(schema.examples) ? schema.examples : []
    if (examples.length === 0) errors.push(`${where}: needs at least one examples entry`)
    if (output && isObject(schemas[output]) && !Array.isArray((schemas[output] as JsonObject).examples))
      errors.push(`output ${output}: needs at least one examples entry`)
    for (const m of models) {
      if (typeof m !== 'string' || typeof taskType !== 'string') continue
      const key = `${m} ${taskType}`
      const other = pairs.get(key)
      if (other) errors.push(`pair (${m}, ${taskType}) appears in both ${other} and ${name}`)
      pairs.set(key, name)
    }
    const declared = ext.defaultModel
    if (declared === undefined && models.length > 1)
      errors.push(`${where}: x-goapi-task.defaultModel must name one of its models (${models.join(', ')})`)
    if (declared !== undefined && (typeof declared !== 'string' || !models.includes(declared)))
      errors.push(`${where}: x-goapi-task.defaultModel ${String(declared)} is not one of ${models.join(', ')}`)
    const defaultModel = typeof declared === 'string' ? declared : String(models[0])
    const variants = input ? checkVariants(ext.variants, input, schemas, ajv, where, errors) : []
    const duration = checkDuration(ext.duration, where, errors)
    const description = typeof schema.description === 'string' ? schema.description.trim() : ''
    if (!description) errors.push(`${where}: needs a description`)
    if (
      family &&
      typeof taskType === 'string' &&
      input &&
      output &&
      typeof kind === 'string' &&
      isObject(examples[0])
    ) {
      tasks.push({
        family,
        request: name,
        input,
        output,
        variants,
        models: models as string[],
        defaultModel,
        taskType,
        kind: kind as TaskKind,
        ...(duration ? { duration } : {}),
        functionName: typeof ext.function === 'string' ? ext.function : camelCase(taskType),
        summary: firstSentence(description),
        description,
        example: examples[0] as JsonObject,
      })
    }
  }
  const names = new Map<string, string>()
  for (const t of tasks) {
    const key = `${t.family}.${t.functionName}`
    const other = names.get(key)
    if (other) errors.push(`function name ${key} is used by both ${other} and ${t.request}: set x-goapi-task.function`)
    names.set(key, t.request)
    if (!/^[a-z][A-Za-z0-9]*$/.test(t.functionName))
      errors.push(`${t.request}: function name ${t.functionName} is not camelCase`)
  }
  tasks.sort((a, b) => a.family.localeCompare(b.family) || a.request.localeCompare(b.request))
  return { errors, tasks }
}

/**
 * `x-goapi-task.variants`: `[{ when: { <input field>: value | [values] }, output: <schema> }]`. Each
 * field must be a property of the input schema, each value valid for that property, and each
 * output a component schema with examples.
 */
function checkVariants(
  value: Json | undefined,
  input: string,
  schemas: JsonObject,
  ajv: Ajv2020,
  where: string,
  errors: string[],
): TaskVariant[] {
  if (value === undefined) return []
  if (!Array.isArray(value)) {
    errors.push(`${where}: x-goapi-task.variants must be a list`)
    return []
  }
  const inputSchema = schemas[input]
  const props = isObject(inputSchema) && isObject(inputSchema.properties) ? inputSchema.properties : {}
  const out: TaskVariant[] = []
  value.forEach((v, i) => {
    const at = `${where}: x-goapi-task.variants[${i}]`
    if (!isObject(v) || !isObject(v.when) || Object.keys(v.when).length === 0 || typeof v.output !== 'string') {
      errors.push(`${at} needs a non-empty \`when\` object and an \`output\` schema name`)
      return
    }
    const output = schemas[v.output]
    if (!isObject(output)) errors.push(`${at}: output ${v.output} is not a component schema`)
    else if (!Array.isArray(output.examples)) errors.push(`output ${v.output}: needs at least one examples entry`)
    const when: Record<string, Json[]> = {}
    for (const [field, selector] of Object.entries(v.when)) {
      const values = Array.isArray(selector) ? selector : [selector ?? null]
      if (!(field in props)) {
        errors.push(`${at}: when.${field} is not a property of ${input}`)
        continue
      }
      if (values.length === 0) errors.push(`${at}: when.${field} lists no values`)
      const validate = ajv.getSchema(
        `${schemaRef(input)}/properties/${field.replaceAll('~', '~0').replaceAll('/', '~1')}`,
      )
      for (const one of values)
        if (validate && !validate(one))
          errors.push(`${at}: when.${field} value ${JSON.stringify(one)} is not valid for ${input}.${field}`)
      when[field] = values
    }
    out.push({ when, output: v.output })
  })
  return out
}

/** Local `#/components/...` refs inside a media schema point into the registered document. */
function rewriteRefs(value: Json): Json {
  if (Array.isArray(value)) return value.map(rewriteRefs)
  if (!isObject(value)) return value
  const out: JsonObject = {}
  for (const [k, v] of Object.entries(value))
    out[k] = k === '$ref' && typeof v === 'string' && v.startsWith('#') ? `${DOC_ID}${v}` : rewriteRefs(v)
  return out
}

/**
 * `x-goapi-task.duration`: `{ typicalMs, p90Ms }`, positive integers with p90 ≥ typical, at most a day.
 */
function checkDuration(value: unknown, where: string, errors: string[]): TaskEntry['duration'] {
  if (value === undefined) return undefined
  const ok = (n: unknown): n is number => Number.isInteger(n) && (n as number) > 0 && (n as number) <= 86_400_000
  if (
    !isObject(value) ||
    Object.keys(value).some((k) => k !== 'typicalMs' && k !== 'p90Ms') ||
    !ok(value.typicalMs) ||
    !ok(value.p90Ms) ||
    value.p90Ms < value.typicalMs
  ) {
    errors.push(`${where}: x-goapi-task.duration must be { typicalMs, p90Ms } (ms, integers, p90Ms ≥ typicalMs)`)
    return undefined
  }
  return { typicalMs: value.typicalMs, p90Ms: value.p90Ms }
}

// The OpenAPI 3.0.3 copy of the published document, for tools that read only 3.0 (Go's
// kin-openapi, older generators). Made by @apiture/openapi-down-convert (nullable types, const →
// enum, examples → example, no webhooks, ...). Three 3.1 forms it leaves as they are get their
// 3.0 form here, in schema objects only:
// - numeric `exclusiveMinimum`/`exclusiveMaximum` → `minimum`/`maximum` plus `true`;
// - a `{ type: 'null' }` branch of `anyOf`/`oneOf` → `nullable: true` on the schema;
// - a schema that accepts any value (no `type`, `$ref`, composition, enum or properties) →
//   `nullable: true`: JSON Schema lets it hold null; strict 3.0 readers (kin-openapi) refuse null.
import { Converter } from '@apiture/openapi-down-convert'
import { isObject, type Json, type JsonObject } from './spec-files.js'

export function toOpenApi30(doc: JsonObject): JsonObject {
  const converted = new Converter(structuredClone(doc), { verbose: false }).convert() as JsonObject
  return walk(converted, false) as JsonObject
}

// Keys whose value is data, never a schema or a document object.
const DATA = new Set(['example', 'examples', 'default', 'const', 'enum'])
// Keys of a schema whose value is a map of schemas, a schema, or a list of schemas.
const SCHEMA_MAPS = new Set(['properties', 'patternProperties'])
const SCHEMA_VALUES = new Set(['items', 'additionalProperties', 'not'])
const SCHEMA_LISTS = new Set(['anyOf', 'oneOf', 'allOf'])

function walk(value: Json, isSchema: boolean): Json {
  if (Array.isArray(value)) return value.map((v) => walk(v, false))
  if (!isObject(value)) return value
  const out: JsonObject = {}
  for (const [k, v] of Object.entries(value)) {
    if (DATA.has(k) || k.startsWith('x-')) out[k] = v
    else if (k === 'schema') out[k] = walk(v, true)
    else if (k === 'schemas' || (isSchema && SCHEMA_MAPS.has(k)))
      out[k] = isObject(v) ? Object.fromEntries(Object.entries(v).map(([n, s]) => [n, walk(s, true)])) : v
    else if (isSchema && SCHEMA_VALUES.has(k)) out[k] = walk(v, true)
    else if (isSchema && SCHEMA_LISTS.has(k) && Array.isArray(v)) out[k] = v.map((s) => walk(s, true))
    else out[k] = walk(v, false)
  }
  return isSchema ? to30(out) : out
}

function to30(schema: JsonObject): JsonObject {
  for (const [exclusive, bound] of [
    ['exclusiveMinimum', 'minimum'],
    ['exclusiveMaximum', 'maximum'],
  ] as const) {
    const limit = schema[exclusive]
    if (typeof limit === 'number') {
      schema[bound] = limit
      schema[exclusive] = true
    }
  }
  for (const key of ['anyOf', 'oneOf'] as const) {
    const branches = schema[key]
    if (!Array.isArray(branches) || !branches.some(isNullBranch)) continue
    schema[key] = branches.filter((b) => !isNullBranch(b))
    schema.nullable = true
  }
  if (isAnyValue(schema)) schema.nullable = true
  return schema
}

const CONSTRAINING = ['type', '$ref', 'anyOf', 'oneOf', 'allOf', 'not', 'enum', 'properties', 'items', 'nullable']

function isAnyValue(schema: JsonObject): boolean {
  return !Object.keys(schema).some((k) => CONSTRAINING.includes(k))
}

/** `{ type: 'null' }`, perhaps with a title or description. */
function isNullBranch(value: Json): boolean {
  return (
    isObject(value) &&
    value.type === 'null' &&
    Object.keys(value).every((k) => k === 'type' || k === 'title' || k === 'description')
  )
}

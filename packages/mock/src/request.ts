// Reads a request the way its operation declares it: the body by media type (JSON or a
// multipart form), validated against the operation's request schema; unknown keys are
// reported, not rejected (GoAPI accepts extra keys; spec/README.md "Unknown input keys"), and
// the rest is still validated.
import type { IncomingMessage } from 'node:http'
import { fieldError, HttpError, parseJson, readBody } from './http.js'
import type { Operation } from './operations.js'
import type { SpecIndex } from './spec.js'

type Schema = Record<string, unknown>

export interface ReadRequest {
  /** The body: parsed JSON, or the form as an object (files become `{name, size, type}` descriptions). */
  body: unknown
  /** The form's files by field (multipart only). */
  files: Record<string, Array<{ name: string; size: number; type: string; bytes: Buffer }>>
  /** Bytes of the body as received. */
  size: number
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

async function readForm(req: IncomingMessage, raw: Buffer): Promise<ReadRequest> {
  const type = req.headers['content-type'] ?? ''
  if (!/^multipart\/form-data\s*;/i.test(type))
    throw new HttpError(400, 'Invalid request parameters: the body must be multipart/form-data')
  let form: FormData
  try {
    form = await new Response(new Uint8Array(raw), { headers: { 'content-type': type } }).formData()
  } catch {
    throw new HttpError(400, 'Invalid request parameters: the multipart body cannot be parsed')
  }
  const body: Record<string, unknown> = {}
  const files: ReadRequest['files'] = {}
  for (const name of new Set(form.keys())) {
    const values = await Promise.all(
      form.getAll(name).map(async (v) => {
        if (typeof v === 'string') return v
        const bytes = Buffer.from(await v.arrayBuffer())
        ;(files[name] ??= []).push({ name: v.name, size: bytes.length, type: v.type, bytes })
        return `${v.name} (${bytes.length} bytes)`
      }),
    )
    body[name] = values.length === 1 ? values[0] : values
  }
  return { body, files, size: raw.length }
}

/** Reads the body of `op` from `req` (empty when the operation has none). */
export async function readRequest(req: IncomingMessage, op: Operation, limit: number): Promise<ReadRequest> {
  if (!op.body) return { body: undefined, files: {}, size: 0 }
  const raw = await readBody(req, limit)
  if (op.body.type === 'multipart/form-data') return readForm(req, raw)
  if (raw.length === 0 && !op.body.required) return { body: undefined, files: {}, size: 0 }
  return { body: parseJson(raw), files: {}, size: raw.length }
}

/** Resolves `$ref`s and expands `allOf`/`anyOf`/`oneOf` into the list of schemas a value may meet. */
function branches(spec: SpecIndex, schema: Schema | undefined, depth = 0): Schema[] {
  if (!schema || depth > 32) return []
  const ref = schema.$ref
  const own = typeof ref === 'string' ? branches(spec, spec.at(ref), depth + 1) : [schema]
  const nested = ['allOf', 'anyOf', 'oneOf'].flatMap((k) =>
    Array.isArray(schema[k]) ? (schema[k] as Schema[]).flatMap((s) => branches(spec, s, depth + 1)) : [],
  )
  return [...own, ...nested]
}

const MAX_REPORTED = 50

/**
 * Finds the keys of `value` that no branch of the schema names (`input.foo`), and returns a copy
 * without them, so the known fields are still validated whatever the schema says of extras.
 */
export function unknownKeys(spec: SpecIndex, pointer: string, value: unknown): { unknown: string[]; known: unknown } {
  const unknown: string[] = []
  const walk = (schemas: Schema[], v: unknown, path: string, depth: number): unknown => {
    if (depth > 64) return v
    if (Array.isArray(v)) {
      const items = schemas.flatMap((s) => (isObject(s.items) ? branches(spec, s.items as Schema) : []))
      return items.length === 0 ? v : v.map((x, i) => walk(items, x, `${path}${path ? '.' : ''}${i}`, depth + 1))
    }
    if (!isObject(v)) return v
    const withProps = schemas.filter((s) => isObject(s.properties))
    // Reported: extras of closed schemas, and of schemas the published spec opened and marked
    // `x-goapi-unknown-keys: report`. Free-form objects (no property list, extras typed by a
    // schema, or documented as passed through) have no unknown keys.
    const reporting = schemas.some((s) => s['x-goapi-unknown-keys'] === 'report' || s.additionalProperties === false)
    const open = !reporting || schemas.some((s) => isObject(s.additionalProperties) || isObject(s.patternProperties))
    const out: Record<string, unknown> = {}
    for (const [key, child] of Object.entries(v)) {
      const at = `${path}${path ? '.' : ''}${key}`
      const own = withProps.flatMap((s) => {
        const prop = (s.properties as Record<string, Schema>)[key]
        return prop ? branches(spec, prop) : []
      })
      if (own.length === 0 && withProps.length > 0 && !open) {
        if (unknown.length < MAX_REPORTED) unknown.push(at)
        continue
      }
      out[key] = walk(own, child, at, depth + 1)
    }
    return out
  }
  const known = walk(branches(spec, spec.at(pointer)), value, '', 0)
  return { unknown, known }
}

/** Validates a body against the schema at `pointer` (extras set aside); 400 with every field path on failure. */
export function validateBody(spec: SpecIndex, pointer: string, body: unknown, form: boolean): string[] {
  const { unknown, known } = unknownKeys(spec, pointer, body)
  const errors = spec.checkAt(pointer, form ? structuredClone(known) : known, form)
  if (errors.length > 0) throw fieldError(errors)
  return unknown
}

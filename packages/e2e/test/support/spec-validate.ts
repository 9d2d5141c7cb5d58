// Validates bodies against a bundled OpenAPI document with Ajv (JSON Schema 2020-12): create-task
// bodies against `CreateTaskRequest`, route bodies against their operation's JSON request schema.
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js'
import addFormatsModule from 'ajv-formats'

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020
const DOC_ID = 'https://goapi.local/openapi.json'

type Doc = { paths: Record<string, Record<string, unknown>>; [key: string]: unknown }

export function specValidator(doc: Doc) {
  const ajv = new Ajv2020({ strict: false, allErrors: true })
  addFormats(ajv)
  for (const keyword of ['discriminator', 'xml', 'externalDocs', 'example']) ajv.addKeyword(keyword)
  ajv.addSchema({ ...doc, $id: DOC_ID })
  const pointer = (...parts: string[]) => parts.map((p) => p.replaceAll('~', '~0').replaceAll('/', '~1')).join('/')
  const compiled = new Map<string, ValidateFunction>()
  const compile = (ref: string) => {
    let v = compiled.get(ref)
    if (!v) compiled.set(ref, (v = ajv.compile({ $ref: `${DOC_ID}#/${ref}` })))
    return v
  }
  const result = (v: ValidateFunction, body: unknown) =>
    v(body) ? { ok: true as const } : { ok: false as const, errors: ajv.errorsText(v.errors) }
  return {
    task: (body: unknown) => result(compile('components/schemas/CreateTaskRequest'), body),
    route: (method: string, path: string, body: unknown) =>
      result(compile(pointer('paths', path, method, 'requestBody', 'content', 'application/json', 'schema')), body),
  }
}

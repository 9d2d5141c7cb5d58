// The special routes of each family (its `paths:`), read from the bundled document: one entry per
// operation, with everything `defineOperation` needs and the example the docs and tests use.
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { createRequire } from 'node:module'
import { camelCase, isObject, ROOT, schemaRefName, type FamilyMeta, type Json, type JsonObject } from './spec-files.js'
import type { TaskEntry } from './validate.js'

// Required on first use, not imported: through `import`, node would first scan TypeScript's 9 MB
// of CommonJS for export names (about 0.4 s).
let typescript: typeof import('typescript') | undefined
const loadTypescript = () =>
  (typescript ??= createRequire(import.meta.url)('typescript') as typeof import('typescript'))

export type OperationResponseMode = 'json' | 'binary' | 'text' | 'stream'
export type OperationBodyType = 'json' | 'multipart' | 'none'

export interface OperationEntry {
  family: string
  operationId: string
  /** The generated function's name (see spec/README.md, "Route functions"). */
  functionName: string
  /** false when the family's `src/helpers.ts` already exports `functionName`: the helper wins. */
  generated: boolean
  method: 'get' | 'post' | 'put' | 'patch' | 'delete'
  path: string
  summary: string
  description: string
  deprecated: boolean
  auth: 'apiKey' | 'bearer'
  servers: string[]
  bodyType: OperationBodyType
  response: OperationResponseMode
  /** Query parameter names (path parameters come from the template). */
  query: string[]
  /** Binary (`format: binary`) fields of a multipart body. */
  files: string[]
  /** The 2xx answer's schema names, for the docs. */
  answer: string[]
  /** Example path/query parameters (every required one) and body. */
  exampleParams: JsonObject
  exampleBody: Json | undefined
  /** The request body's schema name, when it is a `$ref`. */
  bodySchema: string | undefined
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const

/** Every value name `src/helpers.ts` exports (declarations and `export { ... }` lists). */
export function helperExports(family: string): Set<string> {
  const file = path.join(ROOT, 'packages', family, 'src/helpers.ts')
  const names = new Set<string>()
  if (!existsSync(file)) return names
  const ts = loadTypescript()
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest)
  for (const st of source.statements) {
    const exported = ts.canHaveModifiers(st) && ts.getModifiers(st)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)
    if (exported && (ts.isFunctionDeclaration(st) || ts.isClassDeclaration(st)) && st.name) names.add(st.name.text)
    if (exported && ts.isVariableStatement(st))
      for (const d of st.declarationList.declarations) if (ts.isIdentifier(d.name)) names.add(d.name.text)
    if (ts.isExportDeclaration(st) && !st.isTypeOnly && st.exportClause && ts.isNamedExports(st.exportClause))
      for (const e of st.exportClause.elements) if (!e.isTypeOnly) names.add(e.name.text)
  }
  return names
}

function deref(doc: JsonObject, value: Json | undefined): Json | undefined {
  if (!isObject(value) || typeof value.$ref !== 'string' || !value.$ref.startsWith('#/')) return value
  let node: Json | undefined = doc
  for (const part of value.$ref.slice(2).split('/'))
    node = isObject(node) ? node[part.replaceAll('~1', '/').replaceAll('~0', '~')] : undefined
  return deref(doc, node)
}

function firstExample(media: JsonObject): Json | undefined {
  if ('example' in media) return media.example
  if (isObject(media.examples))
    for (const ex of Object.values(media.examples)) if (isObject(ex) && 'value' in ex) return ex.value
  return undefined
}

/** Reads every family operation; errors name what the spec must fix. */
export function collectOperations(
  doc: JsonObject,
  families: FamilyMeta[],
  tasks: TaskEntry[],
): { operations: OperationEntry[]; errors: string[] } {
  const errors: string[] = []
  const operations: OperationEntry[] = []
  const paths = isObject(doc.paths) ? doc.paths : {}
  const rootBearer = JSON.stringify(doc.security ?? []).includes('BearerAuth')
  for (const family of families.filter((f) => f.package)) {
    const helpers = helperExports(family.name)
    const taskNames = new Set(tasks.filter((t) => t.family === family.name).map((t) => t.functionName))
    const prefix = camelCase(family.name)
    const seen = new Map<string, string>()
    for (const p of family.pathNames) {
      const item = paths[p]
      if (!isObject(item)) continue
      for (const method of METHODS) {
        const op = item[method]
        if (!isObject(op)) continue
        const where = `${family.file}: ${method.toUpperCase()} ${p}`
        const operationId = typeof op.operationId === 'string' ? op.operationId : ''
        if (!operationId) {
          errors.push(`${where}: needs an operationId`)
          continue
        }
        const stripped = operationId.startsWith(prefix) ? operationId.slice(prefix.length) : operationId
        const functionName =
          typeof op['x-goapi-function'] === 'string'
            ? op['x-goapi-function']
            : stripped.charAt(0).toLowerCase() + stripped.slice(1)
        if (!/^[a-z][A-Za-z0-9]*$/.test(functionName))
          errors.push(`${where}: function name ${functionName} is not camelCase`)
        if (taskNames.has(functionName))
          errors.push(`${where}: ${functionName} is also a task function: set x-goapi-function`)
        const other = seen.get(functionName)
        if (other) errors.push(`${where}: ${functionName} is also the function of ${other}: set x-goapi-function`)
        seen.set(functionName, `${method.toUpperCase()} ${p}`)

        const security = Array.isArray(op.security) ? op.security : undefined
        const bearer = security ? JSON.stringify(security).includes('BearerAuth') : rootBearer
        const serverList = Array.isArray(op.servers) ? op.servers : Array.isArray(item.servers) ? item.servers : []
        const servers = serverList.flatMap((s) => (isObject(s) && typeof s.url === 'string' ? [s.url] : []))

        const exampleParams: JsonObject = {}
        const query: string[] = []
        const params = [
          ...(Array.isArray(item.parameters) ? item.parameters : []),
          ...(Array.isArray(op.parameters) ? op.parameters : []),
        ].map((x) => deref(doc, x))
        for (const param of params) {
          if (!isObject(param) || typeof param.name !== 'string') continue
          if (param.in === 'query') query.push(param.name)
          else if (param.in !== 'path') continue
          const schema = isObject(param.schema) ? param.schema : {}
          const example =
            param.example ?? schema.example ?? (Array.isArray(schema.examples) ? schema.examples[0] : undefined)
          if (example !== undefined) exampleParams[param.name] = example
          else if (param.required === true) errors.push(`${where}: parameter ${param.name} needs an example`)
        }

        const requestBody = deref(doc, op.requestBody)
        const content = isObject(requestBody) && isObject(requestBody.content) ? requestBody.content : {}
        const types = Object.keys(content)
        let bodyType: OperationBodyType = 'none'
        let exampleBody: Json | undefined
        let bodySchema: string | undefined
        const files: string[] = []
        if (types.length > 0) {
          const type = types[0] ?? ''
          const media = content[type]
          if (type === 'application/json') bodyType = 'json'
          else if (type === 'multipart/form-data') bodyType = 'multipart'
          else errors.push(`${where}: request body type ${type} is not supported (json or multipart)`)
          if (isObject(media)) {
            exampleBody = firstExample(media)
            // A body of several accepted shapes (`anyOf` of refs) is checked by its first shape.
            const shapes = isObject(media.schema) && Array.isArray(media.schema.anyOf) ? media.schema.anyOf : []
            bodySchema = schemaRefName(media.schema) ?? schemaRefName(shapes[0])
            const schema = deref(doc, media.schema)
            const props = isObject(schema) && isObject(schema.properties) ? schema.properties : {}
            if (bodyType === 'multipart')
              for (const [name, prop] of Object.entries(props)) {
                const s = deref(doc, prop)
                if (isObject(s) && s.format === 'binary') files.push(name)
              }
          }
          if (exampleBody === undefined) errors.push(`${where}: the request body needs an example`)
        }

        const responses = isObject(op.responses) ? op.responses : {}
        const ok = Object.entries(responses).find(([code]) => /^2/.test(code))
        const okContent = ok && isObject(deref(doc, ok[1])) ? (deref(doc, ok[1]) as JsonObject).content : undefined
        const answerTypes = isObject(okContent) ? Object.keys(okContent) : []
        const response: OperationResponseMode = answerTypes.includes('application/json')
          ? 'json'
          : answerTypes.includes('text/event-stream')
            ? 'stream'
            : answerTypes.length === 0 || answerTypes.every((t) => t.startsWith('text/'))
              ? 'text'
              : 'binary'
        const answer = [
          ...new Set(
            answerTypes.flatMap((t) => {
              const media = isObject(okContent) ? okContent[t] : undefined
              const name = isObject(media) ? schemaRefName(media.schema) : undefined
              const relevant =
                response === 'json'
                  ? t === 'application/json' || t === 'text/plain'
                  : response === 'stream'
                    ? t === 'text/event-stream'
                    : true
              return name && relevant ? [name] : []
            }),
          ),
        ]

        operations.push({
          family: family.name,
          operationId,
          functionName,
          generated: !helpers.has(functionName),
          method,
          path: p,
          summary: typeof op.summary === 'string' ? op.summary.trim() : '',
          description: typeof op.description === 'string' ? op.description.trim() : '',
          deprecated: op.deprecated === true,
          auth: bearer ? 'bearer' : 'apiKey',
          servers,
          bodyType,
          response,
          query,
          files,
          answer,
          exampleParams,
          exampleBody,
          bodySchema,
        })
      }
    }
  }
  return { operations, errors }
}

// The simulator's route table, read from the spec's `paths`: one entry per operation with its
// path pattern, parameters, request body schema and 200 answers (media type, schema, example).
// Nothing here names a route: a route added to the spec is served after a rebuild.
import { HttpError } from './http.js'
import type { SpecIndex } from './spec.js'

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const

export interface Parameter {
  name: string
  in: 'path' | 'query' | 'header' | 'cookie'
  required: boolean
  /** JSON pointer of the parameter's schema. */
  schema: string
  example: unknown
}

export interface MediaAnswer {
  /** `application/json`, `text/event-stream`, `audio/mpeg`, ... */
  type: string
  /** JSON pointer of the schema (for event streams: the schema of one event). */
  schema: string
  /** The answer's example (the media's `example` or first `examples` entry, else the schema's). */
  example: unknown
}

export interface Operation {
  id: string
  method: string
  /** The spec's path, `/api/v1/task/{task_id}`. */
  path: string
  /** The route as faults name it: `GET /api/v1/task/:task_id`. */
  route: string
  parameters: Parameter[]
  /** The request body's media type and schema pointer, when it has one. */
  body: { type: string; schema: string; required: boolean } | undefined
  /** Whether the operation needs an API key (its or the document's `security`). */
  auth: boolean
  /** The 200 answer's media types, in the spec's order; empty when it has no body. */
  answers: MediaAnswer[]
  /** The 200 answer's description (stream terminators such as `data: [DONE]` are read from it). */
  description: string
  /** The spec path as a regular expression, parameters captured in order. */
  pattern: RegExp
}

type Node = Record<string, unknown>

const escape = (segment: string) => segment.replaceAll('~', '~0').replaceAll('/', '~1')

function firstExample(media: Node, spec: SpecIndex): unknown {
  if ('example' in media) return media.example
  const examples = media.examples as Record<string, { value?: unknown }> | undefined
  const first = examples ? Object.values(examples)[0] : undefined
  if (first && 'value' in first) return first.value
  const ref = (media.schema as Node | undefined)?.$ref
  if (typeof ref === 'string') {
    const list = spec.at(ref)?.examples
    if (Array.isArray(list)) return list[0]
  }
  return undefined
}

/** Follows `$ref`s of the form `#/components/...` (responses, parameters) to their target. */
function deref(spec: SpecIndex, node: Node): { node: Node; pointer?: string } {
  const ref = node.$ref
  if (typeof ref !== 'string') return { node }
  return { node: spec.at(ref) ?? {}, pointer: ref }
}

export function readOperations(spec: SpecIndex): Operation[] {
  const paths = (spec.doc.paths ?? {}) as Record<string, Node>
  const globalAuth = Array.isArray(spec.doc.security) && spec.doc.security.length > 0
  const out: Operation[] = []
  for (const [path, item] of Object.entries(paths)) {
    for (const method of METHODS) {
      const op = item[method] as Node | undefined
      if (!op) continue
      const base = `#/paths/${escape(path)}/${method}`
      const parameters: Parameter[] = []
      const lists: Array<[unknown, string]> = [
        [item.parameters, `#/paths/${escape(path)}/parameters`],
        [op.parameters, `${base}/parameters`],
      ]
      for (const [list, at] of lists)
        (Array.isArray(list) ? (list as Node[]) : []).forEach((raw, i) => {
          const { node, pointer } = deref(spec, raw)
          parameters.push({
            name: String(node.name),
            in: node.in as Parameter['in'],
            required: node.required === true,
            schema: `${pointer ?? `${at}/${i}`}/schema`,
            example: node.example,
          })
        })
      const content = ((op.requestBody as Node | undefined)?.content ?? {}) as Record<string, Node>
      const bodyType = Object.keys(content)[0]
      const okAnswer = deref(spec, ((op.responses as Node | undefined)?.['200'] ?? {}) as Node)
      const okBase = okAnswer.pointer ?? `${base}/responses/200`
      const media = (okAnswer.node.content ?? {}) as Record<string, Node>
      const security = (op.security ?? undefined) as unknown[] | undefined
      out.push({
        id: String(op.operationId),
        method: method.toUpperCase(),
        path,
        route: `${method.toUpperCase()} ${path.replace(/\{([^}]+)\}/g, ':$1')}`,
        parameters,
        body:
          bodyType === undefined
            ? undefined
            : {
                type: bodyType,
                schema: `${base}/requestBody/content/${escape(bodyType)}/schema`,
                required: (op.requestBody as Node).required === true,
              },
        auth: security === undefined ? globalAuth : security.length > 0,
        answers: Object.entries(media).map(([type, m]) => ({
          type,
          schema: `${okBase}/content/${escape(type)}/schema`,
          example: firstExample(m, spec),
        })),
        description: String(okAnswer.node.description ?? ''),
        pattern: new RegExp(
          `^${path
            .split('/')
            .map((s) => (/^\{[^}]+\}$/.test(s) ? '([^/]+)' : s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
            .join('/')}$`,
        ),
      })
    }
  }
  // Literal paths before templated ones: `/music/concat` wins over `/music/{task_id}`.
  return out.sort((a, b) => a.path.split('{').length - b.path.split('{').length)
}

export interface Match {
  op: Operation
  /** Path parameters by name, percent-decoded. */
  params: Record<string, string>
}

/** Finds the operation serving a method and path; `methods` lists the path's methods when only the method is wrong. */
export function matchOperation(
  ops: readonly Operation[],
  method: string,
  path: string,
): { match?: Match; methods: string[] } {
  const methods: string[] = []
  for (const op of ops) {
    const m = op.pattern.exec(path)
    if (!m) continue
    if (op.method !== method) {
      methods.push(op.method)
      continue
    }
    const names = [...op.path.matchAll(/\{([^}]+)\}/g)].map((x) => x[1] ?? '')
    const params: Record<string, string> = {}
    names.forEach((name, i) => (params[name] = decodePart(m[i + 1] ?? '')))
    return { match: { op, params }, methods }
  }
  return { methods }
}

/** Percent-decodes one path segment; a malformed encoding (`%ff`, `%zz`) is the client's error. */
export function decodePart(raw: string): string {
  try {
    return decodeURIComponent(raw)
  } catch {
    throw new HttpError(400, 'Invalid request parameters: the path has a malformed percent-encoding')
  }
}

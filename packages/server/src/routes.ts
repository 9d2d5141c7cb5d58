// Special routes the app opts into (`routes: [createChatCompletion]` from @goapi/llm): a JSON
// request checked against the spec's request body schema, sent with the server's key the way the
// route takes it, and the answer streamed back with the server's secrets scrubbed.
import { Validator } from '@cfworker/json-schema'
import openapi from '@goapi/spec/openapi.json' with { type: 'json' }
import { simplify, type FieldError } from './validate.js'

/** A special route: an operation function of a family package (`createChatCompletion`) fits. */
export interface ProxyRoute {
  readonly method: string
  /** The spec's path template, e.g. `/v1/chat/completions`. */
  readonly path: string
  /** `apiKey`: `x-api-key`; `bearer`: `Authorization: Bearer`. */
  readonly auth: 'apiKey' | 'bearer'
  /** The route's own hosts (the first is used); empty: the proxy's `baseUrl`. */
  readonly servers: readonly string[]
}

export interface MatchedRoute {
  route: ProxyRoute
  /** The path GoAPI gets, parameters filled in. */
  upstreamPath: string
}

const PARAM = '[A-Za-z0-9_-]{1,128}'
type Operation = { requestBody?: { content?: Record<string, { schema?: unknown }> } }
const paths = (openapi as unknown as { paths: Record<string, Record<string, Operation>> }).paths
const components = (openapi as { components: Record<string, unknown> }).components

/** Finds the opted-in route for a method and a path below `basePath`. */
export function matchRoute(routes: readonly ProxyRoute[], method: string, path: string): MatchedRoute | undefined {
  for (const route of routes) {
    if (route.method.toUpperCase() !== method) continue
    const pattern = route.path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, `(${PARAM})`)
    if (new RegExp(`^${pattern}$`).test(path)) return { route, upstreamPath: path }
  }
  return undefined
}

const validators = new Map<string, Validator | null>()

/** Checks a JSON body against the route's request schema in the spec (no schema: anything goes). */
export function validateRouteBody(route: ProxyRoute, body: unknown): FieldError[] {
  const key = `${route.method.toLowerCase()} ${route.path}`
  let validator = validators.get(key)
  if (validator === undefined) {
    const schema = paths[route.path]?.[route.method.toLowerCase()]?.requestBody?.content?.['application/json']?.schema
    validator = schema ? new Validator({ ...(schema as object), components }, '2020-12', false) : null
    validators.set(key, validator)
  }
  if (!validator) return []
  const result = validator.validate(body)
  return result.valid ? [] : simplify(result.errors)
}

/**
 * A byte stream with every secret replaced by `[redacted]`, also when one is split between
 * chunks: the last bytes that could start a secret are held back until the next chunk.
 */
export function scrubStream(body: ReadableStream<Uint8Array>, secrets: readonly string[]): ReadableStream<Uint8Array> {
  const forms = [...new Set(secrets.filter(Boolean).flatMap((s) => [s, encodeURIComponent(s)]))]
  const hold = Math.max(0, ...forms.map((f) => f.length)) - 1
  // Latin-1 maps each byte to one char and back, so binary bodies pass through unchanged.
  const toText = (bytes: Uint8Array) => {
    let text = ''
    for (let i = 0; i < bytes.length; i += 0x8000)
      text += String.fromCharCode(...bytes.subarray(i, Math.min(bytes.length, i + 0x8000)))
    return text
  }
  const toBytes = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0))
  const scrub = (text: string) => forms.reduce((out, form) => out.split(form).join('[redacted]'), text)
  let pending = ''
  return body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        const text = scrub(pending + toText(chunk))
        const cut = Math.max(0, text.length - hold)
        pending = text.slice(cut)
        if (cut > 0) controller.enqueue(toBytes(text.slice(0, cut)))
      },
      flush(controller) {
        if (pending) controller.enqueue(toBytes(scrub(pending)))
      },
    }),
  )
}

// Independent conformance: Prism, a spec-driven mock server that is not ours, serves the bundled
// spec, and every example request of the spec (each task type's create body, each other route)
// goes to it through our client. Prism validates each request against the spec; none may fail.
import { createRequire } from 'node:module'
import { bearerAuth, createClient, rawClient, type GoApiClient } from '@goapi/client'
import type { CatalogTask } from '@goapi/mock'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectAccepted, startPrism, type Prism } from './support/prism.js'

const require = createRequire(import.meta.url)

interface Parameter {
  name: string
  in: 'path' | 'query' | 'header'
  required?: boolean
  example?: unknown
  schema?: { example?: unknown; examples?: unknown[]; default?: unknown; enum?: unknown[] }
}
interface Operation {
  operationId?: string
  security?: Array<Record<string, string[]>>
  parameters?: Parameter[]
  requestBody?: { content: Record<string, { example?: unknown; examples?: Record<string, { value: unknown }> }> }
}
type PathItem = Record<string, Operation> & { parameters?: Parameter[] }
const doc = require('@goapi/spec/openapi.json') as {
  paths: Record<string, PathItem>
  components: { schemas: Record<string, { examples?: unknown[] }> }
}
const catalog = require('@goapi/spec/catalog.json') as { tasks: CatalogTask[] }

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const

let prism: Prism
let goapi: GoApiClient

beforeAll(async () => {
  prism = await startPrism()
  goapi = createClient({ apiKey: 'prism-test-key', baseUrl: prism.url, fetch: prism.fetch })
}, 180_000)

afterAll(() => prism?.close())

const expectValid = (what: string) => expectAccepted(prism.last(), what)

describe('Prism validates every task type example sent through the client', () => {
  const cases = catalog.tasks.flatMap((t) =>
    (doc.components.schemas[t.request]?.examples ?? []).map(
      (example, i) => [`${t.family} ${t.taskType} (${t.request} #${i})`, example] as const,
    ),
  )
  it('has an example for every task type', () => {
    expect(new Set(cases.map(([name]) => name.replace(/ \(.*$/, ''))).size).toBe(
      new Set(catalog.tasks.map((t) => `${t.family} ${t.taskType}`)).size,
    )
  })
  it.each(cases)(
    '%s',
    async (name, example) => {
      prism.reset()
      await goapi.createUntypedTask(example as Parameters<GoApiClient['createUntypedTask']>[0])
      expectValid(name)
    },
    60_000,
  )
})

function paramValue(p: Parameter): unknown {
  return p.example ?? p.schema?.example ?? p.schema?.examples?.[0] ?? p.schema?.default ?? p.schema?.enum?.[0]
}

function multipart(body: unknown): FormData {
  const form = new FormData()
  for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
    if (typeof value === 'string' && /^<.* bytes>$/.test(value))
      form.append(key, new Blob([new Uint8Array([0x89, 0x50, 0x4e, 0x47])]), `${key}.bin`)
    else if (Array.isArray(value)) for (const v of value) form.append(key, String(v))
    else form.append(key, typeof value === 'string' ? value : JSON.stringify(value))
  }
  return form
}

type RawCall = (url: string, init: Record<string, unknown>) => Promise<{ response: Response }>

describe('Prism validates every other route example sent through the client', () => {
  const cases: Array<
    [string, string, (typeof METHODS)[number], Operation, PathItem, { type: string; body: unknown } | undefined]
  > = []
  for (const [route, item] of Object.entries(doc.paths)) {
    for (const method of METHODS) {
      const op = item[method]
      if (!op || (route === '/api/v1/task' && method === 'post')) continue
      const content = op.requestBody?.content ?? {}
      const bodies = Object.entries(content).flatMap(([type, media]) => [
        ...Object.entries(media.examples ?? {}).map(([key, ex]) => [key, { type, body: ex.value }] as const),
        ...(media.example !== undefined ? [['example', { type, body: media.example }] as const] : []),
      ])
      if (bodies.length === 0) cases.push([`${method.toUpperCase()} ${route}`, route, method, op, item, undefined])
      for (const [key, body] of bodies)
        cases.push([`${method.toUpperCase()} ${route} (${key})`, route, method, op, item, body])
    }
  }
  it('covers every route', () => {
    // POST /api/v1/task is covered by the task type examples above.
    expect(new Set([...cases.map(([, route]) => route), '/api/v1/task']).size).toBe(Object.keys(doc.paths).length)
  })
  it.each(cases)(
    '%s',
    async (name, route, method, op, item, body) => {
      const params = { path: {} as Record<string, unknown>, query: {} as Record<string, unknown> }
      for (const p of [...(item.parameters ?? []), ...(op.parameters ?? [])]) {
        const value = paramValue(p)
        if (p.in === 'path') params.path[p.name] = value ?? 'prism-example-id'
        else if (p.in === 'query' && value !== undefined) params.query[p.name] = value
      }
      const bearer = op.security?.some((s) => 'BearerAuth' in s) ?? false
      const init: Record<string, unknown> = { params, middleware: bearer ? [bearerAuth] : [], parseAs: 'text' }
      if (body) {
        if (body.type === 'multipart/form-data') {
          init.body = body.body
          init.bodySerializer = multipart
        } else init.body = body.body
      }
      const raw = rawClient(goapi) as unknown as Record<'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', RawCall>
      prism.reset()
      await raw[method.toUpperCase() as 'GET'](route, init)
      expectValid(name)
    },
    60_000,
  )
})

// Every generated route function of the family packages (their special routes: OpenAI-compatible,
// GPTs, upload, legacy Suno) called once with the spec's example, through defineOperation and the
// client, against Prism: Prism must accept each request, and the answer must come back in the
// shape the function promises (parsed JSON, a Blob, or a stream of events).
import { createRequire } from 'node:module'
import { createClient, InternalServerError, type GoApiClient } from '@goapi/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectAccepted, isUnmockableStream, startPrism, type Prism } from './support/prism.js'

const require = createRequire(import.meta.url)

interface CatalogOperation {
  family: string
  function: string
  generated: boolean
  method: string
  path: string
  bodyType: 'json' | 'multipart' | 'none'
  response: 'json' | 'binary' | 'text' | 'stream'
}
interface Parameter {
  name: string
  in: string
  example?: unknown
  schema?: { example?: unknown; examples?: unknown[] }
}
interface Media {
  example?: unknown
  examples?: Record<string, { value: unknown }>
}
interface Operation {
  parameters?: Parameter[]
  requestBody?: { content: Record<string, Media> }
}
type PathItem = Record<string, Operation> & { parameters?: Parameter[] }

const catalog = require('@goapi/spec/catalog.json') as { operations: CatalogOperation[] }
const doc = require('@goapi/spec/openapi.json') as { paths: Record<string, PathItem> }
const operations = catalog.operations.filter((o) => o.generated)
// Routes of @goapi/client itself (tasks, account, history), not of a family package.
const CLIENT_ROUTES = /^\/(api\/v1\/tasks?(\/|$)|account\/|api\/open\/)/

let prism: Prism
let goapi: GoApiClient

beforeAll(async () => {
  prism = await startPrism()
  goapi = createClient({ apiKey: 'prism-routes-key', baseUrl: prism.url, fetch: prism.fetch })
}, 180_000)

afterAll(() => prism?.close())

/** The spec example as call arguments: path parameters, then the body (placeholder file bytes become a File). */
function exampleArgs(op: CatalogOperation): unknown[] {
  const item = doc.paths[op.path]
  const operation = item?.[op.method]
  const args: unknown[] = []
  const params = [...(item?.parameters ?? []), ...(operation?.parameters ?? [])].filter(
    (p) => p.in === 'path' || p.in === 'query',
  )
  if (params.length > 0)
    args.push(
      Object.fromEntries(params.map((p) => [p.name, p.example ?? p.schema?.example ?? p.schema?.examples?.[0]])),
    )
  if (op.bodyType !== 'none') {
    const media = Object.values(operation?.requestBody?.content ?? {})[0]
    let body = media?.example ?? Object.values(media?.examples ?? {})[0]?.value
    if (op.bodyType === 'multipart')
      body = Object.fromEntries(
        Object.entries(body as Record<string, unknown>).map(([k, v]) => [
          k,
          typeof v === 'string' && /^<.* bytes>$/.test(v)
            ? new File([new Uint8Array([0x89, 0x50, 0x4e, 0x47])], `${k}.bin`)
            : v,
        ]),
      )
    args.push(body)
  }
  return args
}

describe('every family route, through its generated function, against Prism', () => {
  it('covers every route that is not the client own', () => {
    const routes = Object.entries(doc.paths).flatMap(([p, item]) =>
      CLIENT_ROUTES.test(p)
        ? []
        : ['get', 'post', 'put', 'patch', 'delete'].filter((m) => item[m]).map((m) => `${m} ${p}`),
    )
    expect(catalog.operations.map((o) => `${o.method} ${o.path}`).sort()).toEqual(routes.sort())
    expect(operations.length).toBeGreaterThan(0)
  })

  it.each(operations.map((o) => [`@goapi/${o.family} ${o.function}`, o] as const))(
    '%s',
    async (name, op) => {
      const pkg = (await import(`@goapi/${op.family}`)) as Record<string, unknown>
      const fn = pkg[op.function] as (client: GoApiClient, ...args: unknown[]) => Promise<unknown>
      expect(typeof fn, `${name} is exported`).toBe('function')
      prism.reset()
      const result = await fn(goapi, ...exampleArgs(op), { baseUrl: prism.url }).then(
        (value) => ({ ok: true as const, value }),
        (error: unknown) => ({ ok: false as const, error }),
      )
      expectAccepted(prism.last(), name)
      if (isUnmockableStream(prism.last())) {
        // The request was accepted; Prism cannot produce the answer, and the function says so with a typed error.
        expect(op.response).toBe('stream')
        expect(result.ok ? undefined : result.error).toBeInstanceOf(InternalServerError)
        return
      }
      if (!result.ok) throw result.error
      const { value } = result
      if (op.response === 'binary') expect(value).toBeInstanceOf(Blob)
      else if (op.response === 'text') expect(typeof value).toBe('string')
      else if (op.response === 'json') expect(typeof value === 'object' || typeof value === 'string').toBe(true)
      else {
        const events: unknown[] = []
        for await (const event of value as AsyncIterable<unknown>) events.push(event)
        expect(events.length).toBeGreaterThan(0)
      }
    },
    60_000,
  )
})

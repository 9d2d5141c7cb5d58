// Every task type of every family, through its generated package function, the client and the
// simulator over real HTTP: the completed output validates against its schema and every output
// URL downloads a file whose magic bytes match its kind.
import { createClient, type GoApiClient, type TaskFunction } from '@goapi/client'
import { startMock, type MockServer, type CatalogTask } from '@goapi/mock'
import { createRequire } from 'node:module'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const require = createRequire(import.meta.url)
const catalog = require('@goapi/spec/catalog.json') as { tasks: CatalogTask[] }
const doc = require('@goapi/spec/openapi.json') as { components: { schemas: Record<string, { examples?: unknown[] }> } }

const MAGIC: Array<[RegExp, (b: Buffer) => boolean]> = [
  [/\.png$/, (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))],
  [/\.wav$/, (b) => b.toString('ascii', 0, 4) === 'RIFF' && b.toString('ascii', 8, 12) === 'WAVE'],
  [/\.mp4$/, (b) => b.toString('ascii', 4, 8) === 'ftyp'],
  [/\.glb$/, (b) => b.toString('ascii', 0, 4) === 'glTF' && b.readUInt32LE(4) === 2],
  [/\.txt$/, (b) => b.length > 0 && !b.includes(0)],
]

function urls(value: unknown): string[] {
  if (typeof value === 'string') return /^https?:\/\//.test(value) ? [value] : []
  if (Array.isArray(value)) return value.flatMap(urls)
  if (typeof value === 'object' && value !== null) return Object.values(value).flatMap(urls)
  return []
}

let mock: MockServer
let goapi: GoApiClient

beforeAll(async () => {
  mock = await startMock({ latency: { pendingMs: 5, processingMs: 10 } })
  goapi = createClient({ apiKey: 'e2e-key', baseUrl: mock.url, wait: { poll: { initialDelayMs: 5, maxDelayMs: 20 } } })
})
afterAll(() => mock.close())

const families = [...new Set(catalog.tasks.map((t) => t.family))]

describe.each(families)('@goapi/%s', (family) => {
  const tasks = catalog.tasks.filter((t) => t.family === family)
  it.each(tasks.map((t) => [t.function, t] as const))(
    '%s completes with a valid output and real files',
    async (_name, entry) => {
      const pkg = (await import(`@goapi/${family}`)) as Record<string, TaskFunction<never, never>>
      const fn = pkg[entry.function]
      expect(typeof fn, `@goapi/${family} exports ${entry.function}`).toBe('function')
      const example = doc.components.schemas[entry.request]?.examples?.[0] as {
        model: string
        input: unknown
        config?: unknown
      }
      const run = fn as unknown as (
        client: GoApiClient,
        input: unknown,
        options: { model: string },
      ) => Promise<{ status: string; model: string; task_type: string; output: unknown }>
      const task = await run(goapi, example.input, { model: example.model })
      expect(task.status).toBe('completed')
      expect(task.model).toBe(example.model)
      expect(task.task_type).toBe(entry.taskType)
      expect(mock.spec.check(entry.output, task.output)).toEqual([])
      for (const url of urls(task.output)) {
        expect(url.startsWith(mock.url)).toBe(true)
        const res = await fetch(url)
        expect(res.status).toBe(200)
        const bytes = Buffer.from(await res.arrayBuffer())
        const check = MAGIC.find(([re]) => re.test(url))
        expect(check, url).toBeDefined()
        expect(check?.[1](bytes), `magic bytes of ${url}`).toBe(true)
      }
    },
  )
})

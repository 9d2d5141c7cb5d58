import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Locator, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildSite, launch, requireChromium, root, serve } from './site.js'

interface Operation {
  operationId: string
  tags?: string[]
}
interface Spec {
  paths: Record<string, Record<string, Operation>>
  components: { schemas: Record<string, { oneOf?: { $ref: string }[] }> }
}
interface Catalog {
  families: { name: string }[]
  tasks: { family: string; request: string }[]
}

const spec = JSON.parse(await readFile(join(root, 'packages/spec/openapi.json'), 'utf8')) as Spec
const catalog = JSON.parse(await readFile(join(root, 'packages/spec/catalog.json'), 'utf8')) as Catalog
const methods = ['get', 'put', 'post', 'delete', 'patch']
const operations = Object.entries(spec.paths).flatMap(([path, item]) =>
  Object.entries(item)
    .filter(([method]) => methods.includes(method))
    .map(([method, op]) => ({ path, method: method.toUpperCase(), ...op })),
)
const refName = (ref: string): string => ref.slice(ref.lastIndexOf('/') + 1)
/** The family-level schemas of the create-task body (`FluxTaskRequest`, ...), by family. */
const familyRequests = new Map<string, { schema: string; tasks: string[] }>()
for (const task of catalog.tasks) {
  const schema = (spec.components.schemas.CreateTaskRequest?.oneOf ?? [])
    .map((o) => refName(o.$ref))
    .find((name) => spec.components.schemas[name]?.oneOf?.some((o) => refName(o.$ref) === task.request))
  if (!schema) throw new Error(`${task.request} is not reachable from CreateTaskRequest`)
  const entry = familyRequests.get(task.family) ?? { schema, tasks: [] }
  entry.tasks.push(task.request)
  familyRequests.set(task.family, entry)
}
const camel = (name: string): string => name.replace(/-(\w)/g, (_, c: string) => c.toUpperCase())

let out: string
let site: Awaited<ReturnType<typeof serve>>
let browser: Awaited<ReturnType<typeof launch>>
let page: Page
const pageErrors: string[] = []

beforeAll(async () => {
  requireChromium()
  out = await mkdtemp(join(tmpdir(), 'goapi-docs-'))
  site = await serve(out)
  // Build while Chromium starts; the server only reads files once the pages load.
  const [launched, built] = await Promise.allSettled([launch(site.url), buildSite(out)])
  if (launched.status === 'rejected') throw launched.reason
  browser = launched.value
  if (built.status === 'rejected') throw built.reason
  page = await browser.context.newPage()
  page.on('pageerror', (error) => pageErrors.push(error.message))
})

afterAll(async () => {
  await browser?.close()
  await site?.close()
  if (out) await rm(out, { recursive: true, force: true })
})

/** Opens an operation of the Redoc reference by its hash route (same page: no reload) and returns its section. */
async function openOperation(op: Operation): Promise<Locator> {
  const id = `${op.tags?.[0]?.toLowerCase() ?? 'other'}/${op.operationId.toLowerCase()}`
  await page.goto(`${site.url}/reference/index.html#/${id}`)
  const section = page.locator(`[id="${id}"]`)
  await section.waitFor()
  return section
}

describe('the docs build', () => {
  it('writes the reference, the typedoc site and an index linking both', async () => {
    for (const file of ['index.html', 'reference/index.html', 'api/index.html', 'api/modules/_goapi_client.html']) {
      expect(existsSync(join(out, file)), file).toBe(true)
    }
    const index = await readFile(join(out, 'index.html'), 'utf8')
    expect(index).toContain('href="reference/index.html"')
    expect(index).toContain('href="api/index.html"')
  })
})

describe('the HTML API reference in Chromium', () => {
  it('renders the task routes: POST /api/v1/task and GET /api/v1/task/{task_id}', async () => {
    for (const [method, path] of [
      ['POST', '/api/v1/task'],
      ['GET', '/api/v1/task/{task_id}'],
    ] as const) {
      const op = operations.find((o) => o.method === method && o.path === path)
      expect(op, `${method} ${path} in the spec`).toBeDefined()
      const text = await (await openOperation(op!)).innerText()
      expect(text).toContain(`${method}\n${path}`)
    }
  })

  it('renders every operation of the spec, including the routes of every family without task types', async () => {
    expect(operations.length).toBeGreaterThan(10)
    const rendered = new Set<string>()
    for (const op of operations) {
      const text = await (await openOperation(op)).innerText()
      expect(text, op.operationId).toContain(`${op.method}\n${op.path}`)
      rendered.add(op.operationId)
    }
    // Families without task types (account, the OpenAI-compatible routes, ...) own operations named after them.
    const others = catalog.families.filter((f) => !familyRequests.has(f.name))
    for (const family of others) {
      const ops = operations.filter((o) => o.operationId.startsWith(camel(family.name)))
      expect(ops.length, `operations of ${family.name}`).toBeGreaterThan(0)
      for (const op of ops) expect(rendered.has(op.operationId), op.operationId).toBe(true)
    }
    expect(catalog.families.length).toBe(familyRequests.size + others.length)
  })

  it("lists every family's request schema in the create-task body and renders each family's task types", async () => {
    const create = operations.find((o) => o.operationId === 'createTask')!
    const section = await openOperation(create)
    const body = section.locator('[id="tasks/createtask/request/body"]').locator('..')
    const familySchemas = [...familyRequests.values()].map((f) => f.schema)
    // The family picker shows the selected family; open it, read all options, then pick each family.
    const pick = async (current: string, next: string): Promise<void> => {
      await body.getByText(current, { exact: true }).first().click()
      await page.getByRole('menuitem', { name: next, exact: true }).click()
    }
    let selected = familySchemas[0]!
    await body.getByText(selected, { exact: true }).first().click()
    const options = await page.getByRole('menuitem').allInnerTexts()
    expect(options.map((o) => o.trim())).toEqual(expect.arrayContaining(familySchemas))
    await page.getByRole('menuitem', { name: selected, exact: true }).click()
    for (const [family, { schema, tasks }] of familyRequests) {
      if (schema !== selected) {
        await pick(selected, schema)
        selected = schema
      }
      // The family's task types: shown as tabs, or as a second picker when the names are long.
      let shown: string[] = []
      await expect
        .poll(
          async () => {
            const lines = new Set((await body.innerText()).split('\n').map((l) => l.trim()))
            shown = lines.has(schema) ? tasks.filter((t) => lines.has(t)) : []
            return shown.length
          },
          { message: family },
        )
        .toBeGreaterThan(0)
      if (shown.length < tasks.length) {
        await body.getByText(shown[0]!, { exact: true }).first().click()
        const nested = (await page.getByRole('menuitem').allInnerTexts()).map((o) => o.trim())
        expect(nested, family).toEqual(expect.arrayContaining(tasks))
        await page.getByRole('menuitem', { name: shown[0]!, exact: true }).click()
      }
    }
    expect(familyRequests.size).toBeGreaterThan(20)
  })
})

describe('the typedoc API docs in Chromium', () => {
  it("lists every package and @goapi/client's createClient", async () => {
    await page.goto(`${site.url}/api/index.html`)
    const nav = page.locator('#tsd-nav-container')
    const link = (text: string): Locator => nav.getByRole('link').filter({ has: page.getByText(text, { exact: true }) })
    const familyPackages = catalog.families
      .map((f) => f.name)
      .filter((name) => existsSync(join(root, 'packages', name, 'package.json')))
    expect(familyPackages.length).toBeGreaterThan(25)
    for (const name of ['client', 'types', 'mock', ...familyPackages]) {
      await expect.poll(() => link(`@goapi/${name}`).count(), { message: name }).toBe(1)
    }
    await link('@goapi/client').click()
    await page.waitForURL(/_goapi_client\.html/)
    await page.locator('.col-content').getByRole('link', { name: 'createClient', exact: true }).click()
    await page.waitForURL(/createClient\.html/)
    expect(await page.locator('h1').innerText()).toContain('createClient')
    expect(await page.locator('.tsd-signature').first().innerText()).toMatch(/^createClient\(/)
  })
})

describe('offline and error free', () => {
  it('loaded nothing outside 127.0.0.1 and threw no page errors', () => {
    // Redoc's "API docs by" badge image is the one remote URL in the page; offline it is hidden.
    expect(browser.blocked.filter((url) => !url.startsWith('https://cdn.redoc.ly/redoc/logo-mini'))).toEqual([])
    expect(pageErrors).toEqual([])
  })
})

// Reads the hand-maintained spec files and bundles them with Redocly's Node API (one config, one
// resolver: each spec file is parsed once, for the family list and the bundle); `lint` runs Redocly's
// lint in a worker thread (lib/lint-worker.mjs).
import { readFile, readdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { Worker } from 'node:worker_threads'
import type { BaseResolver, Config, NormalizedProblem } from '@redocly/openapi-core'
import { parse } from 'yaml'

export const ROOT = path.resolve(import.meta.dirname, '../..')
export const SPEC_DIR = path.join(ROOT, 'spec')

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json }
export type JsonObject = { [key: string]: Json }

export interface FamilyMeta {
  /** package name without scope, e.g. `flux` */
  name: string
  title: string
  description: string
  docs?: string
  /** the task function the README's example shows (`x-goapi-family.flagship`) */
  flagship?: string
  /** file path relative to the repo root */
  file: string
  /** every schema name the file defines */
  schemaNames: string[]
  /** every path the file defines */
  pathNames: string[]
  /** every webhook the file defines */
  webhookNames: string[]
  /** false for files whose routes belong to `@goapi/client` (no package of their own) */
  package: boolean
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** The component name of a `{ $ref: '#/components/schemas/Name' }` value, else undefined. */
export function schemaRefName(value: Json | undefined): string | undefined {
  if (!isObject(value) || typeof value.$ref !== 'string') return undefined
  return /^#\/components\/schemas\/([^/]+)$/.exec(value.$ref)?.[1]
}

/** `txt2img-lora` → `txt2imgLora`, `gpt-image` → `gptImage`: task types, families and operation ids. */
export function camelCase(name: string): string {
  return name.replace(/[-_ ]+([a-z0-9])/gi, (_, c: string) => c.toUpperCase()).replace(/^[A-Z]/, (c) => c.toLowerCase())
}

export async function readFamilies(only?: string): Promise<FamilyMeta[]> {
  const dir = path.join(SPEC_DIR, 'families')
  const files = only
    ? [path.resolve(only)]
    : (await readdir(dir))
        .filter((f) => f.endsWith('.yaml'))
        .sort()
        .map((f) => path.join(dir, f))
  const families: FamilyMeta[] = []
  // Parsed by the resolver that lint and bundle use next, so each file is parsed once.
  const resolver = await specResolver()
  const documents = await Promise.all(files.map((file) => resolver.resolveDocument(null, file)))
  for (const [i, file] of files.entries()) {
    const rel = path.relative(ROOT, file)
    const document = documents[i]
    if (!document || document instanceof Error) throw new Error(`${rel}: ${document?.message ?? 'not read'}`)
    const doc: unknown = document.parsed
    if (!isObject(doc)) throw new Error(`${rel}: not a YAML mapping`)
    const meta = doc['x-goapi-family']
    if (
      !isObject(meta) ||
      typeof meta.name !== 'string' ||
      typeof meta.title !== 'string' ||
      typeof meta.description !== 'string'
    ) {
      throw new Error(`${rel}: needs x-goapi-family with string name, title and description`)
    }
    const components = isObject(doc.components) ? doc.components : {}
    const schemas = isObject(components.schemas) ? components.schemas : {}
    const paths = isObject(doc.paths) ? doc.paths : {}
    families.push({
      name: meta.name,
      title: meta.title,
      description: meta.description.trim(),
      docs: typeof meta.docs === 'string' ? meta.docs : undefined,
      flagship: typeof meta.flagship === 'string' ? meta.flagship : undefined,
      file: rel,
      schemaNames: Object.keys(schemas),
      pathNames: Object.keys(paths),
      webhookNames: Object.keys(isObject(doc.webhooks) ? doc.webhooks : {}),
      package: meta.package !== false,
    })
  }
  return families
}

/** The PascalCase prefix that a family's schema names start with, from its `<Prefix>TaskRequest`. */
export function familyPrefix(family: FamilyMeta): string | undefined {
  return family.schemaNames
    .find((n) => n.endsWith('TaskRequest') && n !== 'TaskRequest')
    ?.slice(0, -'TaskRequest'.length)
}

// Redocly is loaded on first use, so that the lint worker (which loads its own) starts first.
const redocly = () => import('@redocly/openapi-core')
let config: Promise<Config> | undefined
const redoclyConfig = () =>
  (config ??= redocly().then((r) => r.loadConfig({ configPath: path.join(SPEC_DIR, 'redocly.yaml') })))
let resolver: Promise<BaseResolver> | undefined
const specResolver = () => (resolver ??= redocly().then((r) => new r.BaseResolver()))

/** A Redocly problem as plain data (what the lint worker posts). */
interface Problem {
  severity: string
  ruleId: string
  message: string
  file?: string
  pointer?: string
}

/** One line per problem: severity, rule, message, where (file, JSON pointer). */
function report(problems: Problem[]): string {
  return problems
    .map((p) => {
      const at = p.file ? ` (${path.relative(ROOT, p.file)}${p.pointer ? ` ${p.pointer}` : ''})` : ''
      return `${p.severity} ${p.ruleId}: ${p.message}${at}`
    })
    .join('\n')
}

const plain = (p: NormalizedProblem): Problem => ({
  severity: p.severity,
  ruleId: p.ruleId,
  message: p.message,
  file: p.location[0]?.source.absoluteRef,
  pointer: p.location[0]?.pointer,
})

/** Bundles a root document into one JSON object (external refs become local components). */
export async function bundle(rootFile: string): Promise<JsonObject> {
  const { bundle: redoclyBundle } = await redocly()
  const result = await redoclyBundle({
    ref: rootFile,
    config: await redoclyConfig(),
    externalRefResolver: await specResolver(),
    dereference: false,
  })
  const errors = result.problems.filter((p) => p.severity === 'error')
  if (errors.length > 0) throw new Error(`redocly bundle failed:\n${report(errors.map(plain))}`)
  // A JSON round trip: the same plain data the CLI's JSON output gave (no undefined, no shared nodes).
  const doc: unknown = JSON.parse(JSON.stringify(result.bundle.parsed))
  if (!isObject(doc)) throw new Error('bundle is not an object')
  return doc
}

/**
 * Lints a root document with Redocly using spec/redocly.yaml, in a worker thread (lib/lint-worker.mjs:
 * its own config, resolver and parse, so it runs beside the bundle and everything after it); throws
 * with the report on any error.
 */
export function lint(rootFile: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./lint-worker.mjs', import.meta.url), {
      workerData: { ref: rootFile, configPath: path.join(SPEC_DIR, 'redocly.yaml') },
    })
    worker.once('message', (problems: Problem[]) => {
      const text = report(problems)
      if (problems.some((p) => p.severity === 'error')) reject(new Error(`redocly lint failed:\n${text}`))
      else resolve(text || `${path.relative(ROOT, rootFile)}: no problems`)
    })
    worker.once('error', (error) => reject(new Error(`redocly lint failed: ${error.message}`)))
    worker.once('exit', (code) => reject(new Error(`redocly lint stopped (exit code ${code})`)))
  })
}

/**
 * A temporary root document that contains only one family (plus the unified pieces it refers to),
 * so that a family file can be checked on its own.
 */
export async function writeFamilyCheckRoot(family: FamilyMeta): Promise<string> {
  const prefix = familyPrefix(family)
  const dir = path.join(SPEC_DIR, '.check')
  const { mkdir } = await import('node:fs/promises')
  await mkdir(dir, { recursive: true })
  const ref = (pointer: string) => `../${family.file.replace(/^spec\//, '')}#${pointer}`
  const paths: Record<string, Json> = {}
  if (prefix) {
    paths[`/api/v1/task`] = {
      post: {
        operationId: 'createTask',
        summary: 'Create a task (check root)',
        requestBody: {
          required: true,
          content: { 'application/json': { schema: { $ref: ref(`/components/schemas/${prefix}TaskRequest`) } } },
        },
        responses: {
          '200': {
            description: 'The output of a completed task.',
            content: { 'application/json': { schema: { $ref: ref(`/components/schemas/${prefix}TaskOutput`) } } },
          },
          '400': { $ref: '../unified.yaml#/components/responses/BadRequest' },
        },
      },
    }
  }
  for (const p of family.pathNames) paths[p] = { $ref: ref(`/paths/${p.replaceAll('~', '~0').replaceAll('/', '~1')}`) }
  const root = parse(await readFile(path.join(SPEC_DIR, 'openapi.yaml'), 'utf8')) as JsonObject
  const checkRoot: JsonObject = { ...root, paths }
  delete checkRoot.webhooks
  const text = await readFile(path.join(ROOT, family.file), 'utf8')
  const usesBearer = /BearerAuth['"]?\s*:\s*\[/.test(text)
  if (!usesBearer && isObject(checkRoot.components) && isObject(checkRoot.components.securitySchemes)) {
    delete checkRoot.components.securitySchemes.BearerAuth
  }
  if (family.webhookNames.length > 0) {
    checkRoot.webhooks = Object.fromEntries(family.webhookNames.map((w) => [w, { $ref: ref(`/webhooks/${w}`) }]))
  }
  const file = path.join(dir, `${family.name}.json`)
  await writeFile(file, JSON.stringify(checkRoot, null, 2))
  return file
}

// (2) Bundle size: esbuild (minified, browser, ESM) + gzip of the same job written with each
// library (and as a browser page behind the @goapi/server proxy), of every family package, and of
// a type-only consumer (which must ship 0 bytes of ours).
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { gzipSync } from 'node:zlib'
import { build, type Metafile } from 'esbuild'
import { BENCH_DIR, FIXTURES_DIR, REPO_ROOT } from './paths.js'

export const CONSUMERS = [
  'fetch',
  'goapi',
  'goapi-proxy',
  'openapi-fetch',
  'replicate',
  '@fal-ai/client',
  'openai',
] as const
export type Consumer = (typeof CONSUMERS)[number]

const CONSUMER_FILES: Record<Consumer, string> = {
  fetch: 'fetch.ts',
  goapi: 'goapi.ts',
  'goapi-proxy': 'goapi-proxy.ts',
  'openapi-fetch': 'openapi-fetch.ts',
  replicate: 'replicate.ts',
  '@fal-ai/client': 'fal.ts',
  openai: 'openai.ts',
}

export interface BundleSize {
  /** Minified bytes. */
  minified: number
  /** Minified, then gzip -9. */
  gzip: number
  /** Minified bytes that come from this repo's packages (`packages/*`, not the consumer's own code). */
  ours: number
}

export interface FamilySize {
  name: string
  /** The whole family package (every function), with `@goapi/client` kept external. */
  own: BundleSize
  /** The whole family package with what it uses of `@goapi/client` bundled in. */
  withDeps: BundleSize
}

export interface BundleOptions {
  /** Which peer consumers to bundle (default: all). */
  consumers?: readonly Consumer[]
  /** Which family packages to size (default: all that the bench depends on). */
  families?: readonly string[]
  /** Also build the type-only consumer with Vite (slower). Default true. */
  vite?: boolean
}

export interface BundleResult {
  consumers: Partial<Record<Consumer, BundleSize & { ratioToGoapi: number }>>
  families: FamilySize[]
  typeOnly: { esbuild: BundleSize; vite?: { minified: number; ours: number } }
}

function isOurs(file: string): boolean {
  const abs = path.resolve(BENCH_DIR, file)
  return abs.startsWith(path.join(REPO_ROOT, 'packages') + path.sep) && !abs.startsWith(BENCH_DIR + path.sep)
}

function oursFrom(metafile: Metafile): number {
  let bytes = 0
  for (const output of Object.values(metafile.outputs))
    for (const [file, info] of Object.entries(output.inputs)) if (isOurs(file)) bytes += info.bytesInOutput
  return bytes
}

async function esbuildSize(
  input: { entry: string } | { contents: string },
  external: string[] = [],
): Promise<BundleSize> {
  const result = await build({
    ...('entry' in input
      ? { entryPoints: [input.entry] }
      : { stdin: { contents: input.contents, resolveDir: BENCH_DIR, loader: 'ts', sourcefile: 'entry.ts' } }),
    absWorkingDir: BENCH_DIR,
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    metafile: true,
    logLevel: 'silent',
    legalComments: 'none',
    external,
  })
  const out = result.outputFiles[0]
  if (!out) throw new Error('esbuild produced no output')
  return {
    minified: out.contents.length,
    gzip: gzipSync(out.contents, { level: 9 }).length,
    ours: oursFrom(result.metafile),
  }
}

/** The family packages this bench depends on (`@goapi/<family>` with a generated task list). */
export async function familyPackages(): Promise<string[]> {
  const pkg = JSON.parse(await readFile(path.join(BENCH_DIR, 'package.json'), 'utf8')) as {
    devDependencies: Record<string, string>
  }
  const catalog = JSON.parse(await readFile(path.join(REPO_ROOT, 'packages/spec/catalog.json'), 'utf8')) as {
    families: { name: string }[]
  }
  return catalog.families.map((f) => f.name).filter((name) => `@goapi/${name}` in pkg.devDependencies)
}

async function viteTypeOnly(entry: string): Promise<{ minified: number; ours: number }> {
  const { build: viteBuild } = await import('vite')
  const output = await viteBuild({
    configFile: false,
    root: BENCH_DIR,
    logLevel: 'silent',
    build: { write: false, minify: true, lib: { entry, formats: ['es'], fileName: 'type-only' }, emptyOutDir: false },
  })
  const outputs = Array.isArray(output) ? output : [output]
  let minified = 0
  let ours = 0
  for (const o of outputs) {
    if (!('output' in o)) throw new Error('vite build did not return its output')
    for (const chunk of o.output) {
      if (chunk.type !== 'chunk') continue
      minified += Buffer.byteLength(chunk.code)
      for (const [id, info] of Object.entries(chunk.modules)) if (isOurs(id)) ours += info.renderedLength
    }
  }
  return { minified, ours }
}

export async function measureBundles(options: BundleOptions = {}): Promise<BundleResult> {
  const consumers: BundleResult['consumers'] = {}
  const goapi = await esbuildSize({ entry: path.join(FIXTURES_DIR, 'bundle', CONSUMER_FILES.goapi) })
  for (const name of options.consumers ?? CONSUMERS) {
    const size =
      name === 'goapi' ? goapi : await esbuildSize({ entry: path.join(FIXTURES_DIR, 'bundle', CONSUMER_FILES[name]) })
    consumers[name] = { ...size, ratioToGoapi: size.gzip / goapi.gzip }
  }
  const families: FamilySize[] = []
  for (const name of options.families ?? (await familyPackages())) {
    const contents = `export * from '@goapi/${name}'\n`
    families.push({
      name,
      own: await esbuildSize({ contents }, ['@goapi/client', 'openapi-fetch']),
      withDeps: await esbuildSize({ contents }),
    })
  }
  const typeOnlyEntry = path.join(FIXTURES_DIR, 'bundle', 'type-only.ts')
  const typeOnly: BundleResult['typeOnly'] = { esbuild: await esbuildSize({ entry: typeOnlyEntry }) }
  if (options.vite ?? true) typeOnly.vite = await viteTypeOnly(typeOnlyEntry)
  return { consumers, families, typeOnly }
}

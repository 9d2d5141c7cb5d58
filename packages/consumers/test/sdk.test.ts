// The umbrella package: one install, the client plus one namespace per family, and still
// tree-shakable. An app that uses only `flux` bundles (esbuild) to Flux and client code alone.
import { build, type Metafile } from 'esbuild'
import { readFile, mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { expect, inject, it } from 'vitest'
import { publishedPackages, run } from './shared.js'

const appDir = inject('appDir')
const mockUrl = inject('mockUrl')
const dir = join(appDir, 'sdk')
const families = publishedPackages()
  .map((p) => p.name)
  .filter(
    (n) =>
      ![
        '@goapi/client',
        '@goapi/types',
        '@goapi/mock',
        '@goapi/spec',
        '@goapi/cli',
        '@goapi/sdk',
        '@goapi/server',
        '@goapi/batch',
      ].includes(n),
  )

async function bundle(name: string, source: string): Promise<{ code: string; packages: string[] }> {
  await mkdir(dir, { recursive: true })
  await writeFile(join(dir, `${name}.mjs`), source)
  const outfile = join(dir, 'dist', `${name}.mjs`)
  const result = await build({
    entryPoints: [join(dir, `${name}.mjs`)],
    absWorkingDir: dir,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'es2022',
    outfile,
    metafile: true,
    logLevel: 'silent',
  })
  const output = (result.metafile as Metafile).outputs[Object.keys(result.metafile.outputs)[0] ?? '']
  // Packages with at least one byte in the bundle (metafile inputs also list files that were dropped).
  const packages = new Set<string>()
  for (const [file, info] of Object.entries(output?.inputs ?? {})) {
    const match = /node_modules\/(@goapi\/[^/]+)\//.exec(file)
    if (match?.[1] && info.bytesInOutput > 0) packages.add(match[1])
  }
  return { code: await readFile(outfile, 'utf8'), packages: [...packages].sort() }
}

it('has a namespace for every family package, from both import and require', async () => {
  const namespaces = families.map((n) =>
    n.replace('@goapi/', '').replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase()),
  )
  const script = (load: string): string =>
    `${load}\nconsole.log(JSON.stringify({ keys: Object.keys(sdk), createClient: typeof sdk.createClient, txt2img: typeof sdk.flux.txt2img, video: typeof sdk.kling.videoGeneration }))\n`
  await mkdir(dir, { recursive: true })
  await writeFile(join(dir, 'namespaces.mjs'), script(`import * as sdk from '@goapi/sdk'`))
  await writeFile(join(dir, 'namespaces.cjs'), script(`const sdk = require('@goapi/sdk')`))
  for (const file of ['namespaces.mjs', 'namespaces.cjs']) {
    const r = await run(process.execPath, [join(dir, file)], { cwd: dir })
    expect(r.stderr).toBe('')
    const result = JSON.parse(r.stdout) as { keys: string[]; createClient: string; txt2img: string; video: string }
    expect(result).toMatchObject({ createClient: 'function', txt2img: 'function', video: 'function' })
    expect(result.keys).toEqual(expect.arrayContaining(namespaces))
  }
})

it('an app using only `flux` from @goapi/sdk bundles no other family, and runs', async () => {
  const { code, packages } = await bundle(
    'flux-only',
    `import { createClient, flux } from '@goapi/sdk'
const goapi = createClient({ apiKey: 'consumer-test-key', baseUrl: process.env.GOAPI_BASE_URL, wait: { poll: { initialDelayMs: 5, maxDelayMs: 50 } } })
const task = await flux.txt2img(goapi, { prompt: 'a lighthouse at dusk' })
console.log(JSON.stringify({ status: task.status, model: task.model }))
`,
  )
  expect(packages).toEqual(['@goapi/client', '@goapi/flux'])
  expect(code).toContain('"txt2img"')
  // Kling's task types and Midjourney's are nowhere in the bundle.
  expect(code).not.toContain('video_generation')
  expect(code).not.toContain('imagine')
  const r = await run(process.execPath, [join(dir, 'dist/flux-only.mjs')], {
    cwd: dir,
    env: { GOAPI_BASE_URL: mockUrl },
  })
  expect(r.stderr).toBe('')
  expect(JSON.parse(r.stdout)).toEqual({ status: 'completed', model: 'Qubico/flux1-schnell' })
})

it('control: using `kling` from @goapi/sdk does bundle Kling code, so the check above can fail', async () => {
  const { code, packages } = await bundle(
    'kling',
    `import { kling } from '@goapi/sdk'\nconsole.log(typeof kling.videoGeneration)\n`,
  )
  expect(packages).toContain('@goapi/kling')
  expect(code).toContain('video_generation')
})

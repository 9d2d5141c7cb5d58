// The packed-tarball round trip in Cloudflare's workerd: the worker above is type-checked against
// the installed tarballs, bundled with esbuild using the conditions wrangler uses, and run by
// miniflare (which starts a real workerd process) against the simulator on 127.0.0.1.
import { build } from 'esbuild'
import { copyFile, mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { beforeAll, expect, inject, it } from 'vitest'
import { PINS, STRICT_COMPILER_OPTIONS, run } from './shared.js'

const appDir = inject('appDir')
const mockUrl = inject('mockUrl')
const dir = join(appDir, 'workerd')

interface PackedMiniflare {
  Miniflare: new (options: {
    modules: boolean
    modulesRoot: string
    scriptPath: string
    compatibilityDate: string
    bindings: Record<string, string>
  }) => {
    dispatchFetch(url: string): Promise<{ status: number; json(): Promise<unknown> }>
    dispose(): Promise<void>
  }
}

beforeAll(async () => {
  await mkdir(dir, { recursive: true })
  await copyFile(fileURLToPath(new URL('./fixtures/workerd/worker.ts', import.meta.url)), join(dir, 'worker.ts'))
})

it('the worker type-checks strictly against the packed packages', async () => {
  await writeFile(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        ...STRICT_COMPILER_OPTIONS,
        noEmit: true,
        target: 'es2022',
        module: 'esnext',
        moduleResolution: 'bundler',
        lib: ['es2022', 'dom', 'dom.iterable'],
        types: [],
      },
      files: ['worker.ts'],
    }),
  )
  const r = await run(process.execPath, [join(appDir, 'node_modules/typescript/bin/tsc'), '-p', dir], { cwd: dir })
  expect(r.stdout + r.stderr).toBe('')
  expect(r.code).toBe(0)
})

it(`runs in workerd (miniflare ${PINS.miniflare}): create → wait → typed result → output file`, async () => {
  const outfile = join(dir, 'worker.mjs')
  await build({
    entryPoints: [join(dir, 'worker.ts')],
    absWorkingDir: dir,
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    conditions: ['workerd', 'worker', 'browser'],
    mainFields: ['module', 'main'],
    outfile,
    logLevel: 'silent',
  })
  const { Miniflare } = (await import(
    pathToFileURL(join(appDir, 'node_modules/miniflare/dist/src/index.js')).href
  )) as PackedMiniflare
  const mf = new Miniflare({
    modules: true,
    // module names are paths relative to this root (the default, the cwd, is outside the temp dir)
    modulesRoot: dir,
    scriptPath: outfile,
    // no nodejs_compat flag: the packages need only web APIs
    compatibilityDate: '2026-04-01',
    bindings: { GOAPI_BASE_URL: mockUrl },
  })
  try {
    const res = await mf.dispatchFetch('http://worker.test/')
    const body = await res.json()
    expect(body).toEqual({
      runtime: 'Cloudflare-Workers',
      status: 'completed',
      model: 'Qubico/flux1-schnell',
      url: expect.stringMatching(`^${mockUrl}/files/`) as unknown,
      png: true,
    })
    expect(res.status).toBe(200)
  } finally {
    await mf.dispose()
  }
})

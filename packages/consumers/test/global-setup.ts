// Packs every published package once (`pnpm pack` rewrites workspace: ranges to real versions)
// and installs a fresh consumer project from the tarballs with npm: no workspace links. The
// simulator the smoke tests talk to is the packed @goapi/mock, started from that project.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { TestProject } from 'vitest/node'
import { APP_PACKAGES, PINS, pool, publishedPackages, run } from './shared.js'

declare module 'vitest' {
  export interface ProvidedContext {
    tarballDir: string
    appDir: string
    mockUrl: string
  }
}

interface PackedMock {
  startMock(options: {
    latency: { pendingMs: number; processingMs: number }
  }): Promise<{ url: string; close(): Promise<void> }>
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const root = await mkdtemp(join(tmpdir(), 'goapi-consumers-'))
  const tarballDir = join(root, 'tarballs')
  const appDir = join(root, 'app')
  await mkdir(tarballDir)
  await mkdir(appDir)
  const packages = publishedPackages()
  await pool(packages, 4, async (pkg) => {
    const r = await run('pnpm', ['pack', '--pack-destination', tarballDir], { cwd: pkg.dir })
    if (r.code !== 0) throw new Error(`pnpm pack ${pkg.name} failed:\n${r.stdout}\n${r.stderr}`)
  })

  await writeFile(
    join(appDir, 'package.json'),
    JSON.stringify({ name: 'goapi-consumer-app', version: '1.0.0', private: true }, null, 2),
  )
  const tarballs = APP_PACKAGES.map((name) => {
    const pkg = packages.find((p) => p.name === name)
    if (!pkg) throw new Error(`${name} is not a published package`)
    return join(tarballDir, pkg.tarball)
  })
  const install = await run(
    'npm',
    [
      'install',
      ...tarballs,
      `typescript@${PINS.typescript}`,
      `@types/node@${PINS.typesNode}`,
      `vite@${PINS.vite}`,
      `miniflare@${PINS.miniflare}`,
      '--no-audit',
      '--no-fund',
      '--loglevel=error',
    ],
    { cwd: appDir, timeoutMs: 280_000 },
  )
  if (install.code !== 0) throw new Error(`npm install failed:\n${install.stdout}\n${install.stderr}`)

  const mockModule = (await import(
    pathToFileURL(join(appDir, 'node_modules/@goapi/mock/dist/index.mjs')).href
  )) as PackedMock
  const mock = await mockModule.startMock({ latency: { pendingMs: 5, processingMs: 20 } })

  project.provide('tarballDir', tarballDir)
  project.provide('appDir', appDir)
  project.provide('mockUrl', mock.url)
  return async () => {
    await mock.close()
    if (!process.env.GOAPI_CONSUMERS_KEEP) await rm(root, { recursive: true, force: true })
  }
}

// publint and @arethetypeswrong for every published package, on the tarball `pnpm pack` made.
import { checkPackage, createPackageFromTarballData } from '@arethetypeswrong/core'
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { publint } from 'publint'
import { formatMessage } from 'publint/utils'
import { describe, expect, inject, it } from 'vitest'
import { publishedPackages, run } from './shared.js'

// attw profiles: dual packages must resolve for node10, node16 (CJS and ESM) and bundlers. The CLI
// is ESM-only by design (its dependencies are ESM-only), so it uses attw's `esm-only` profile.
const ESM_ONLY = new Set(['@goapi/cli'])
const ESM_ONLY_IGNORED = new Set(['node10', 'node16-cjs'])
// JSON files only: nothing for attw to resolve types for.
const NO_TYPES = new Set(['@goapi/spec'])

const tarballDir = inject('tarballDir')
const packages = publishedPackages()

describe.each(packages)('$name', (pkg) => {
  it('passes publint (strict: warnings fail too)', async () => {
    const tarball = await readFile(join(tarballDir, pkg.tarball))
    const data = tarball.buffer.slice(tarball.byteOffset, tarball.byteOffset + tarball.byteLength)
    const { messages, pkg: manifest } = await publint({ pack: { tarball: data }, strict: true })
    expect(messages.map((m) => `${m.type}: ${formatMessage(m, manifest) ?? m.code}`)).toEqual([])
  })

  it('passes @arethetypeswrong', async () => {
    const data = new Uint8Array(await readFile(join(tarballDir, pkg.tarball)))
    const analysis = await checkPackage(createPackageFromTarballData(data))
    if (NO_TYPES.has(pkg.name)) {
      expect(analysis.types).toBe(false)
      return
    }
    if (!analysis.types) throw new Error(`${pkg.name} ships no types`)
    const problems = analysis.problems.filter(
      (p) => !(ESM_ONLY.has(pkg.name) && 'resolutionKind' in p && ESM_ONLY_IGNORED.has(p.resolutionKind)),
    )
    expect(problems).toEqual([])
  })
})

it('the attw CLI agrees on a packed dual package', async () => {
  const require = createRequire(import.meta.url)
  const bin = join(require.resolve('@arethetypeswrong/cli/package.json'), '..', 'dist', 'index.js')
  const client = packages.find((p) => p.name === '@goapi/client')
  if (!client) throw new Error('@goapi/client is not published')
  const r = await run(process.execPath, [bin, join(tarballDir, client.tarball), '--format', 'json'], {
    cwd: tarballDir,
  })
  expect(r.stderr).toBe('')
  expect(r.code).toBe(0)
  expect((JSON.parse(r.stdout) as { analysis: { packageName: string } }).analysis.packageName).toBe('@goapi/client')
})

// `pnpm generate --check` formats only generated files whose fingerprint (scripts/generated-files.txt)
// does not match: these tests run the generator on copies of the repo and check that every kind of
// drift still fails the check, that `pnpm generate` repairs it, and that an unchanged tree passes.
import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { copyFile, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterEach, describe, expect, it } from 'vitest'

const exec = promisify(execFile)
const root = path.resolve(import.meta.dirname, '../../..')
const MANIFEST = 'scripts/generated-files.txt'
const copies: string[] = []

/** A copy of the working tree (tracked and untracked files, less ignored ones), sharing its node_modules. */
async function copyRepo(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'goapi-generate-'))
  copies.push(dir)
  const { stdout } = await exec('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: root,
    maxBuffer: 16 * 1024 * 1024,
  })
  for (const file of stdout.split('\0').filter(Boolean)) {
    await mkdir(path.dirname(path.join(dir, file)), { recursive: true })
    await copyFile(path.join(root, file), path.join(dir, file)).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error // a tracked file deleted in the working tree
    })
  }
  await symlink(path.join(root, 'node_modules'), path.join(dir, 'node_modules'))
  return dir
}

/** `pnpm generate [args]` in `dir` (the command package.json runs), without throwing on failure. */
async function generate(dir: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec('node', ['scripts/run.mjs', 'scripts/generate.ts', ...args], { cwd: dir })
    return { code: 0, stdout, stderr }
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string }
    return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' }
  }
}

/** Every generated file listed in the manifest, and the manifest itself: path → content hash. */
async function generatedTree(dir: string): Promise<Map<string, string>> {
  const manifest = await readFile(path.join(dir, MANIFEST), 'utf8')
  const files = [MANIFEST, ...manifest.split('\n').flatMap((l) => /^[0-9a-f]{64} (\S+)$/.exec(l)?.[1] ?? [])]
  const tree = new Map<string, string>()
  for (const file of files)
    tree.set(
      file,
      createHash('sha256')
        .update(await readFile(path.join(dir, file)))
        .digest('hex'),
    )
  return tree
}

async function edit(dir: string, file: string, change: (text: string) => string): Promise<void> {
  const before = await readFile(path.join(dir, file), 'utf8')
  const after = change(before)
  expect(after).not.toBe(before)
  await writeFile(path.join(dir, file), after)
}

afterEach(async () => {
  for (const dir of copies.splice(0)) await rm(dir, { recursive: true, force: true })
})

describe('pnpm generate --check', () => {
  it('passes on an unchanged tree without formatting anything, and generate then changes nothing', async () => {
    const dir = await copyRepo()
    const before = await generatedTree(dir)
    expect(before.size).toBeGreaterThan(200)
    const check = await generate(dir, '--check')
    expect(check.stderr).toBe('')
    expect(check.code).toBe(0)
    expect(check.stdout).toContain('(0 formatted)')
    expect(check.stdout).toContain('generated files are up to date')
    const write = await generate(dir)
    expect(write.code).toBe(0)
    expect(write.stdout).toContain('generated files written: none changed')
    expect(await generatedTree(dir)).toEqual(before)
  })

  it('fails on a hand edit of a generated file whose recorded fingerprint is unchanged; generate restores it', async () => {
    const dir = await copyRepo()
    const before = await generatedTree(dir)
    await edit(dir, 'packages/types/src/generated/catalog.ts', (t) =>
      t.replace('export interface TaskCatalog', 'export interface TaskCatalog2'),
    )
    await edit(dir, 'packages/luma/package.json', (t) => t.replace('"type": "module"', '"type":  "module"'))
    const check = await generate(dir, '--check')
    expect(check.code).toBe(1)
    expect(check.stderr).toContain('packages/types/src/generated/catalog.ts')
    expect(check.stderr).toContain('packages/luma/package.json')
    expect(check.stderr).not.toContain(MANIFEST)
    const write = await generate(dir)
    expect(write.code).toBe(0)
    expect(write.stdout).toContain(
      'generated files written: packages/luma/package.json, packages/types/src/generated/catalog.ts\n',
    )
    expect(await generatedTree(dir)).toEqual(before)
    expect((await generate(dir, '--check')).code).toBe(0)
  })

  it('fails after a spec change; generate brings every file up to date', async () => {
    const dir = await copyRepo()
    await edit(dir, 'spec/families/luma.yaml', (t) => t.replace('\n  title: Luma\n', '\n  title: Luma Dream\n'))
    const check = await generate(dir, '--check')
    expect(check.code).toBe(1)
    for (const file of [
      'packages/luma/README.md',
      'packages/luma/package.json',
      'packages/spec/catalog.json',
      MANIFEST,
    ])
      expect(check.stderr).toContain(file)
    const write = await generate(dir)
    expect(write.code).toBe(0)
    expect(await readFile(path.join(dir, 'packages/luma/README.md'), 'utf8')).toContain('Luma Dream')
    const again = await generate(dir, '--check')
    expect(again.code).toBe(0)
    expect(again.stdout).toContain('(0 formatted)')
  })

  it('fails on a hand edit of the fingerprint list alone', async () => {
    const dir = await copyRepo()
    await edit(dir, MANIFEST, (t) => t.replace(/^[0-9a-f]/m, (c) => (c === '0' ? '1' : '0')))
    const check = await generate(dir, '--check')
    expect(check.code).toBe(1)
    expect(check.stderr).toContain(`out of date with spec/ (run \`pnpm generate\` and commit):\n  ${MANIFEST}\n`)
  })

  it('fails on a lint error', async () => {
    const dir = await copyRepo()
    await edit(dir, 'spec/openapi.yaml', (t) => t.replace('    identifier: MIT\n', ''))
    const check = await generate(dir, '--check')
    expect(check.code).toBe(1)
    expect(check.stderr).toContain('redocly lint failed')
    expect(check.stderr).toContain('info-license-strict')
  })

  it('--family FILE checks one family file on its own', async () => {
    const dir = await copyRepo()
    const family = await generate(dir, '--family', 'spec/families/luma.yaml')
    expect(family.code).toBe(0)
    expect(family.stdout).toMatch(/spec\/families\/luma\.yaml: \d+ task types, \d+ examples checked/)
  })
})

// The release flow on a throwaway copy of the workspace: `changeset version` applies the
// versioning policy in .changeset/config.json, then `pnpm publish -r --dry-run` packs and would
// publish exactly the public packages. The registry is a local stub that knows no package, so
// nothing leaves 127.0.0.1 and every public package counts as unpublished.
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PACKAGES_DIR, publishedPackages, run } from './shared.js'

const REPO = join(PACKAGES_DIR, '..')
const published = publishedPackages()
const roots: string[] = []

interface Manifest {
  name: string
  version: string
  private?: boolean
}

/** Copies what the release tools read: root manifests, lockfile, .changeset and each package without node_modules. */
async function copyWorkspace(changesets: Record<string, string>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'goapi-release-'))
  roots.push(root)
  for (const f of ['package.json', 'pnpm-workspace.yaml', 'pnpm-lock.yaml']) await cp(join(REPO, f), join(root, f))
  await mkdir(join(root, '.changeset'))
  // Only the config: the pending changesets of the repository are replaced by the test's own.
  await cp(join(REPO, '.changeset/config.json'), join(root, '.changeset/config.json'))
  for (const [file, body] of Object.entries(changesets)) await writeFile(join(root, '.changeset', file), body)
  for (const entry of await readdir(PACKAGES_DIR, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue
    await cp(join(PACKAGES_DIR, entry.name), join(root, 'packages', entry.name), {
      recursive: true,
      filter: (src) => !/[\\/](node_modules|\.turbo)$/.test(src),
    })
  }
  // Links the copied workspace packages to each other from the warm store; no downloads.
  const install = await run('pnpm', ['install', '--offline', '--frozen-lockfile', '--ignore-scripts'], { cwd: root })
  if (install.code !== 0) throw new Error(`pnpm install failed:\n${install.stdout}\n${install.stderr}`)
  return root
}

async function manifests(root: string): Promise<Map<string, Manifest & { dir: string }>> {
  const out = new Map<string, Manifest & { dir: string }>()
  for (const entry of await readdir(join(root, 'packages'))) {
    const dir = join(root, 'packages', entry)
    const pkg = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8').catch(() => 'null')) as Manifest | null
    if (pkg) out.set(pkg.name, { ...pkg, dir })
  }
  return out
}

async function changesetVersion(root: string): Promise<void> {
  const bin = join(root, 'node_modules/@changesets/cli/bin.js')
  const r = await run(process.execPath, [bin, 'version'], { cwd: root })
  if (r.code !== 0) throw new Error(`changeset version failed:\n${r.stdout}\n${r.stderr}`)
}

const bump = (version: string, kind: 'minor' | 'patch'): string => {
  const [major, minor, patch] = version.split('.').map(Number) as [number, number, number]
  return kind === 'minor' ? `${major}.${minor + 1}.0` : `${major}.${minor}.${patch + 1}`
}

const before = new Map(published.map((p) => [p.name, p.version]))
const version = (name: string): string => {
  const v = before.get(name)
  if (!v) throw new Error(`${name} is not published`)
  return v
}
const FIXED = ['@goapi/types', '@goapi/client', '@goapi/spec']

it('the config publishes publicly, keeps types, client and spec in one fixed group and ignores test packages', async () => {
  const config = JSON.parse(await readFile(join(REPO, '.changeset/config.json'), 'utf8')) as {
    access: string
    fixed: string[][]
    changelog: string
    ignore: string[]
  }
  expect(config.access).toBe('public')
  const all = await manifests(REPO)
  for (const name of config.ignore) expect(all.get(name)?.private, name).toBe(true)
  expect(config.changelog).toBe('@changesets/cli/changelog')
  expect(config.fixed).toEqual([FIXED])
})

describe('changeset version', () => {
  it('a minor change to the client moves the whole fixed group and patches its dependents', async () => {
    const root = await copyWorkspace({
      'client-change.md': '---\n"@goapi/client": minor\n---\n\nA client change from the release test.\n',
    })
    const privateBefore = [...(await manifests(root)).values()].filter((p) => p.private)
    await changesetVersion(root)
    const after = await manifests(root)

    for (const name of FIXED) expect(after.get(name)?.version, name).toBe(bump(version('@goapi/client'), 'minor'))
    // A 0.x minor is outside `^0.x.y`, so every package depending on the group gets a patch release.
    for (const name of ['@goapi/flux', '@goapi/kling', '@goapi/mock', '@goapi/cli', '@goapi/sdk'])
      expect(after.get(name)?.version, name).toBe(bump(version(name), 'patch'))
    for (const p of privateBefore) expect(after.get(p.name)?.version, p.name).toBe(p.version)

    const client = after.get('@goapi/client')
    if (!client) throw new Error('no @goapi/client')
    const changelog = await readFile(join(client.dir, 'CHANGELOG.md'), 'utf8')
    expect(changelog).toContain(`## ${client.version}`)
    expect(changelog).toContain('### Minor Changes')
    expect(changelog).toContain('A client change from the release test.')
    const types = after.get('@goapi/types')
    if (!types) throw new Error('no @goapi/types')
    // Fixed-group members without a changeset of their own still get a (bump-only) changelog entry.
    expect(await readFile(join(types.dir, 'CHANGELOG.md'), 'utf8')).toContain(`## ${types.version}`)
    // The changeset is consumed.
    expect(await readdir(join(root, '.changeset'))).toEqual(['config.json'])
  })

  it('a change to one family leaves the fixed group alone', async () => {
    const root = await copyWorkspace({
      'flux-change.md': '---\n"@goapi/flux": minor\n---\n\nA Flux change from the release test.\n',
    })
    await changesetVersion(root)
    const after = await manifests(root)
    expect(after.get('@goapi/flux')?.version).toBe(bump(version('@goapi/flux'), 'minor'))
    for (const name of [...FIXED, '@goapi/kling', '@goapi/mock'])
      expect(after.get(name)?.version, name).toBe(version(name))
    expect(after.get('@goapi/sdk')?.version).toBe(bump(version('@goapi/sdk'), 'patch'))
    const flux = after.get('@goapi/flux')
    if (!flux) throw new Error('no @goapi/flux')
    expect(await readFile(join(flux.dir, 'CHANGELOG.md'), 'utf8')).toContain('A Flux change from the release test.')
  })
})

describe('pnpm publish -r --dry-run', () => {
  let registry: Server
  let registryUrl = ''
  const asked: string[] = []

  beforeAll(async () => {
    registry = createServer((req, res) => {
      asked.push(decodeURIComponent((req.url ?? '').slice(1)))
      res.writeHead(404, { 'content-type': 'application/json' })
      res.end('{"error":"Not found"}')
    })
    await new Promise<void>((resolve) => registry.listen(0, '127.0.0.1', resolve))
    const address = registry.address()
    if (!address || typeof address === 'string') throw new Error('no registry address')
    registryUrl = `http://127.0.0.1:${address.port}/`
  })
  afterAll(async () => {
    await new Promise<void>((resolve) => registry.close(() => resolve()))
  })

  it('after `changeset version`, packs and would publish every public package and no private one', async () => {
    const root = await copyWorkspace({
      'release.md': '---\n"@goapi/client": minor\n---\n\nA release from the release test.\n',
    })
    await changesetVersion(root)
    const after = await manifests(root)
    const r = await run('pnpm', ['publish', '-r', '--dry-run', '--no-git-checks', '--registry', registryUrl], {
      cwd: root,
    })
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    const wouldPublish = [...r.stdout.matchAll(/^📦 (\S+) →/gmu)].map((m) => m[1]).sort()
    const expected = published.map((p) => `${p.name}@${after.get(p.name)?.version ?? '?'}`).sort()
    expect(wouldPublish).toEqual(expected)
    const privateNames = [...after.values()].filter((p) => p.private).map((p) => p.name)
    expect(privateNames.length).toBeGreaterThan(0)
    for (const name of privateNames) {
      expect(r.stdout).not.toContain(name)
      expect(asked).not.toContain(name)
    }
    expect(r.stdout).toContain(`Skip publishing @goapi/client@${after.get('@goapi/client')?.version} (dry run)`)
  })
})

afterAll(async () => {
  for (const root of roots) await rm(root, { recursive: true, force: true })
})

// A Vite frontend that imports only types from @goapi/types and @goapi/flux builds to a bundle
// with no module from either package. A control entry that imports a value proves the check sees
// package code when it is there.
import { cp, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect, inject, it } from 'vitest'
import { run } from './shared.js'

const appDir = inject('appDir')
const fixture = fileURLToPath(new URL('./fixtures/vite/', import.meta.url))

interface ChunkInfo {
  name: string
  imports: string[]
  modules: string[]
}

function closure(chunks: Record<string, ChunkInfo>, entry: string): string[] {
  const seen = new Set<string>()
  const visit = (file: string): void => {
    if (seen.has(file)) return
    seen.add(file)
    for (const dep of chunks[file]?.imports ?? []) visit(dep)
  }
  visit(entry)
  return [...seen]
}

it('a type-only frontend bundle contains no code from @goapi/types or @goapi/flux', async () => {
  const dir = join(appDir, 'frontend')
  await cp(fixture, dir, { recursive: true })
  const built = await run(process.execPath, [join(appDir, 'node_modules/vite/bin/vite.js'), 'build'], { cwd: dir })
  expect(built.stderr).toBe('')
  expect(built.code).toBe(0)

  const chunks = JSON.parse(await readFile(join(dir, 'chunks.json'), 'utf8')) as Record<string, ChunkInfo>
  const entry = (name: string): string => {
    const file = Object.keys(chunks).find((f) => chunks[f]?.name === name)
    if (!file) throw new Error(`no chunk for entry ${name}: ${Object.keys(chunks).join(', ')}`)
    return file
  }
  const fromGoapi = (files: string[]): string[] =>
    files.flatMap((f) => chunks[f]?.modules ?? []).filter((m) => /node_modules[\\/]@goapi[\\/]/.test(m))

  const app = closure(chunks, entry('app'))
  expect(fromGoapi(app)).toEqual([])
  for (const file of app) expect(await readFile(join(dir, 'dist', file), 'utf8')).not.toContain('@goapi')
  expect(await readFile(join(dir, 'dist', entry('app')), 'utf8')).toContain('a lighthouse at dusk')

  const control = fromGoapi(closure(chunks, entry('control')))
  expect(control.some((m) => m.includes('@goapi/flux'))).toBe(true)
  expect(control.some((m) => m.includes('@goapi/client'))).toBe(true)
})

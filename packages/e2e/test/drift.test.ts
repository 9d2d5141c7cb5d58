// The committed generated files must be exactly what `pnpm generate` makes from spec/.
import { execFile } from 'node:child_process'
import path from 'node:path'
import { promisify } from 'node:util'
import { expect, it } from 'vitest'

const run = promisify(execFile)
const root = path.resolve(import.meta.dirname, '../../..')

it('generated files match a fresh generate', async () => {
  const { stdout } = await run(path.join(root, 'node_modules/.bin/tsx'), ['scripts/generate.ts', '--check'], {
    cwd: root,
  })
  expect(stdout).toContain('generated files are up to date')
}, 120_000)

// The published spec (the packed @goapi/spec, as installed from its tarball) checked by two
// independent tools, Redocly and @readme/openapi-parser, and consumed by a second generator:
// @hey-api/openapi-ts generates a client whose output compiles strictly and completes a task
// against the simulator.
import { validate } from '@readme/openapi-parser'
import { copyFile, mkdir, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect, inject, it } from 'vitest'
import { PACKAGES_DIR, STRICT_COMPILER_OPTIONS, run } from './shared.js'

const appDir = inject('appDir')
const mockUrl = inject('mockUrl')
const specDir = join(appDir, 'node_modules/@goapi/spec')
const require = createRequire(import.meta.url)
const bin = (pkg: string, file: string): string => join(require.resolve(`${pkg}/package.json`), '..', file)

interface RedoclyReport {
  totals: { errors: number; warnings: number }
  problems: Array<{ ruleId: string; severity: string; message: string }>
}

// Families with a single task type have a one-member `oneOf` in their request union: kept so every
// family has the same shape (and a second task type is a one-line change).
const ACCEPTED_WARNINGS = new Set(['no-illogical-composition-keywords'])

it.each(['openapi.json', 'openapi.yaml'])(
  'Redocly lints the published %s with the repository rules: 0 errors',
  async (file) => {
    const r = await run(
      process.execPath,
      [
        bin('@redocly/cli', 'bin/cli.js'),
        'lint',
        join(specDir, file),
        '--config',
        join(PACKAGES_DIR, '..', 'spec/redocly.yaml'),
        '--format',
        'json',
      ],
      { cwd: appDir, env: { REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' } },
    )
    const report = JSON.parse(r.stdout) as RedoclyReport
    expect(report.totals.errors).toBe(0)
    expect(r.code).toBe(0)
    expect(report.problems.filter((p) => !ACCEPTED_WARNINGS.has(p.ruleId))).toEqual([])
  },
)

it.each(['openapi.json', 'openapi.yaml'])(
  '@readme/openapi-parser validates the published %s: 0 errors, 0 warnings',
  async (file) => {
    const result = await validate(join(specDir, file))
    expect(result.valid ? [] : result.errors).toEqual([])
    expect(result.warnings).toEqual([])
  },
)

it('@hey-api/openapi-ts generates a client from the published spec that compiles strictly and completes a task', async () => {
  const dir = join(appDir, 'hey-api')
  await mkdir(dir, { recursive: true })
  const generated = await run(
    process.execPath,
    [bin('@hey-api/openapi-ts', 'bin/run.js'), '-i', join(specDir, 'openapi.json'), '-o', join(dir, 'generated')],
    { cwd: dir, env: { NO_COLOR: '1' } },
  )
  expect(generated.stderr).toBe('')
  expect(generated.code).toBe(0)

  await copyFile(fileURLToPath(new URL('./fixtures/hey-api/use.ts', import.meta.url)), join(dir, 'use.ts'))
  await writeFile(join(dir, 'package.json'), JSON.stringify({ private: true, type: 'module' }))
  await writeFile(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        ...STRICT_COMPILER_OPTIONS,
        target: 'es2022',
        module: 'nodenext',
        moduleResolution: 'nodenext',
        lib: ['es2022', 'dom', 'dom.iterable'],
        types: ['node'],
        outDir: 'out',
        rootDir: '.',
      },
      include: ['generated', 'use.ts'],
    }),
  )
  const compiled = await run(process.execPath, [join(appDir, 'node_modules/typescript/bin/tsc'), '-p', dir], {
    cwd: dir,
  })
  expect(compiled.stdout + compiled.stderr).toBe('')
  expect(compiled.code).toBe(0)

  const r = await run(process.execPath, [join(dir, 'out/use.js')], { cwd: dir, env: { GOAPI_BASE_URL: mockUrl } })
  expect(r.stderr).toBe('')
  expect(JSON.parse(r.stdout)).toEqual({ status: 'completed', model: 'Qubico/flux1-dev', hasOutput: true })
})

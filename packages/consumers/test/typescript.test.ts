// Strict TypeScript consumers of the packed packages, compiled with `moduleResolution` node16 (as
// an ES module and as CommonJS) and bundler, then run against the simulator.
import { copyFile, mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, inject, it } from 'vitest'
import { STRICT_COMPILER_OPTIONS, run } from './shared.js'

const appDir = inject('appDir')
const mockUrl = inject('mockUrl')
const source = fileURLToPath(new URL('./fixtures/ts/index.ts', import.meta.url))
const tsc = join(appDir, 'node_modules/typescript/bin/tsc')

const strict = {
  ...STRICT_COMPILER_OPTIONS,
  types: ['node'],
  outDir: 'out',
  rootDir: '.',
}
const setups = [
  {
    name: 'node16, ES module',
    type: 'module',
    options: { module: 'node16', moduleResolution: 'node16', target: 'es2022' },
  },
  {
    name: 'node16, CommonJS',
    type: 'commonjs',
    options: { module: 'node16', moduleResolution: 'node16', target: 'es2022' },
  },
  { name: 'bundler', type: 'module', options: { module: 'esnext', moduleResolution: 'bundler', target: 'es2022' } },
]

describe.each(setups)('TypeScript $name', (setup) => {
  it('type-checks strictly, compiles and completes a typed task', async () => {
    const dir = join(appDir, `ts-${setup.name.replace(/\W+/g, '-')}`)
    await mkdir(dir, { recursive: true })
    await writeFile(join(dir, 'package.json'), JSON.stringify({ private: true, type: setup.type }))
    await writeFile(
      join(dir, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { ...strict, ...setup.options }, files: ['index.ts'] }),
    )
    await copyFile(source, join(dir, 'index.ts'))
    const compiled = await run(process.execPath, [tsc, '-p', dir], { cwd: dir })
    expect(compiled.stdout + compiled.stderr).toBe('')
    expect(compiled.code).toBe(0)
    const r = await run(process.execPath, [join(dir, 'out/index.js')], { cwd: dir, env: { GOAPI_BASE_URL: mockUrl } })
    expect(r.stderr).toBe('')
    expect(JSON.parse(r.stdout)).toEqual({
      status: 'completed',
      model: 'Qubico/flux1-schnell',
      url: expect.stringMatching(`^${mockUrl}/files/`) as unknown,
      checked: 2,
    })
  })
})

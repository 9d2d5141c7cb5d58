// A user module that re-exports task outputs compiles with `declaration: true` against the packed
// packages: every type an inferred export names is reachable from a package entry point (TS2742
// "cannot be named without a reference to …/generated/catalog.js" before the named types).
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, inject, it } from 'vitest'
import { STRICT_COMPILER_OPTIONS, run } from './shared.js'

const appDir = inject('appDir')
const source = fileURLToPath(new URL('./fixtures/declarations/index.ts', import.meta.url))
const tsc = join(appDir, 'node_modules/typescript/bin/tsc')

const setups = [
  { name: 'node16', type: 'module', options: { module: 'node16', moduleResolution: 'node16' } },
  { name: 'bundler', type: 'module', options: { module: 'esnext', moduleResolution: 'bundler' } },
]

describe.each(setups)('declaration emit ($name)', (setup) => {
  it('emits the .d.ts of a module that exports task outputs and wrappers', async () => {
    const dir = join(appDir, `declarations-${setup.name}`)
    await mkdir(dir, { recursive: true })
    await writeFile(join(dir, 'package.json'), JSON.stringify({ private: true, type: setup.type }))
    const compilerOptions = {
      ...STRICT_COMPILER_OPTIONS,
      ...setup.options,
      target: 'es2022',
      types: ['node'],
      declaration: true,
      emitDeclarationOnly: true,
      outDir: 'out',
      rootDir: '.',
    }
    await writeFile(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['index.ts'] }))
    await copyFile(source, join(dir, 'index.ts'))
    const compiled = await run(process.execPath, [tsc, '-p', dir], { cwd: dir })
    expect(compiled.stdout + compiled.stderr).toBe('')
    expect(compiled.code).toBe(0)
    const dts = await readFile(join(dir, 'out/index.d.ts'), 'utf8')
    // The outputs are named, not written out, and no internal helper leaks into the declarations.
    expect(dts).toContain('FluxImageOutput')
    expect(dts).toMatch(/KlingVideoOutput \| .*KlingVideo3Output|KlingVideo3Output \| .*KlingVideoOutput/)
    expect(dts).not.toMatch(/Known<|generated\//)
  })
})

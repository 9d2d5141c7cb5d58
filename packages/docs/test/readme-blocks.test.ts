// Every ```ts block of every README (root, SECURITY.md, ARCHITECTURE.md, spec/README.md, each
// package's README, generated ones included) is type-checked strictly against the workspace
// packages, so the docs cannot drift from the API. Each block is its own module in a temp folder
// inside this package (so `@goapi/*` resolve to the built workspace packages), with its hidden
// `ts-preamble` first; blocks tagged `ts-check: skip (reason)` are counted and printed.
import { mkdir, rm, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'
import { afterAll, describe, expect, it } from 'vitest'
import { docFiles, extractBlocks, type CodeBlock } from './readme-blocks.js'

const here = dirname(fileURLToPath(import.meta.url))
const root = join(here, '..', '..', '..')
const dir = join(here, '..', '.readme-check')

const blocks = docFiles(root).flatMap((f) => extractBlocks(root, f))
const checked = blocks.filter((b) => !b.skip)
const skipped = blocks.filter((b) => b.skip)

function moduleName(b: CodeBlock, i: number): string {
  return `${String(i).padStart(3, '0')}-${b.file.replace(/[^A-Za-z0-9]+/g, '-')}-L${b.line}.ts`
}

afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('README code blocks', () => {
  it('the extractor finds the blocks (and this check sees the root README)', () => {
    expect(blocks.length).toBeGreaterThan(50)
    expect(blocks.some((b) => b.file === 'README.md')).toBe(true)
    for (const b of skipped) expect(b.skip, `${b.file}:${b.line} skip without a reason`).not.toBe('(no reason given)')
    console.log(
      `README code blocks: ${checked.length} type-checked, ${skipped.length} tagged not compilable` +
        skipped.map((b) => `\n  ${b.file}:${b.line}: ${b.skip}`).join(''),
    )
  })

  it('every ts block type-checks strictly', async () => {
    await rm(dir, { recursive: true, force: true })
    await mkdir(dir, { recursive: true })
    await writeFile(join(dir, 'package.json'), JSON.stringify({ private: true, type: 'module' }))
    const where = new Map<string, { block: CodeBlock; offset: number }>()
    await Promise.all(
      checked.map(async (b, i) => {
        const file = join(dir, moduleName(b, i))
        const head = b.preamble.length > 0 ? `${b.preamble.join('\n')}\n` : ''
        // `export {}` makes every block a module (top-level await, no clashes between blocks).
        await writeFile(file, `${head}${b.code}\nexport {}\n`)
        where.set(file, { block: b, offset: head ? head.split('\n').length - 1 : 0 })
      }),
    )
    const program = ts.createProgram([...where.keys()], {
      strict: true,
      noUncheckedIndexedAccess: true,
      noEmit: true,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      target: ts.ScriptTarget.ES2022,
      lib: ['lib.es2023.d.ts', 'lib.dom.d.ts', 'lib.dom.iterable.d.ts'],
      types: ['node'],
      skipLibCheck: true,
    })
    const problems = ts.getPreEmitDiagnostics(program).map((d) => {
      const text = ts.flattenDiagnosticMessageText(d.messageText, '\n')
      const at = d.file ? where.get(d.file.fileName) : undefined
      if (!d.file || d.start === undefined || !at) return `${d.file?.fileName ?? '(global)'}: ${text}`
      const { line } = d.file.getLineAndCharacterOfPosition(d.start)
      const inBlock = line - at.offset
      const loc =
        inBlock < 0 ? `${at.block.file}:${at.block.line} (preamble)` : `${at.block.file}:${at.block.line + inBlock}`
      return `${loc}: TS${d.code} ${text}`
    })
    expect(problems.join('\n')).toBe('')
  }, 300_000)
})

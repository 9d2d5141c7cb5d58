// Extracts the TypeScript code blocks of the repository's Markdown docs, so they can be compiled.
//
// Conventions (documented in packages/docs/README.md), written as HTML comments right before a
// block's opening fence (blank lines between are fine; invisible on GitHub and npm):
//   <!-- ts-preamble: declare const goapi: import('@goapi/client').GoApiClient -->
//       code compiled before the block (the context a snippet assumes); several may be stacked
//   <!-- ts-check: skip (why) -->
//       the block is intentionally not compilable (pseudo-code, another language's syntax); the
//       test counts and prints these, and a skip without a reason fails
import { readdirSync, readFileSync, existsSync } from 'node:fs'
import { join, relative } from 'node:path'

export interface CodeBlock {
  /** repository-relative Markdown file */
  file: string
  /** 1-based line of the block's first code line */
  line: number
  code: string
  preamble: string[]
  /** set when tagged `ts-check: skip (reason)` */
  skip?: string
}

/** Every Markdown file whose blocks are checked: root docs, spec/README.md, each package's README. */
export function docFiles(root: string): string[] {
  const files = ['README.md', 'SECURITY.md', 'ARCHITECTURE.md', 'BENCHMARKS.md', 'spec/README.md']
  for (const pkg of readdirSync(join(root, 'packages')).sort()) files.push(`packages/${pkg}/README.md`)
  return files.filter((f) => existsSync(join(root, f)))
}

const FENCE = /^(\s*)```(ts|typescript)\s*$/
const PREAMBLE = /^<!--\s*ts-preamble:\s*([\s\S]*?)\s*-->$/
const SKIP = /^<!--\s*ts-check:\s*skip\b\s*([\s\S]*?)\s*-->$/

export function extractBlocks(root: string, file: string): CodeBlock[] {
  const lines = readFileSync(join(root, file), 'utf8').split('\n')
  const blocks: CodeBlock[] = []
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i] ?? '')
    if (!open) {
      // skip over other fenced blocks, so a ```ts inside a ```md example is not taken for code
      if (/^\s*```/.test(lines[i] ?? '')) {
        const fence = /^\s*(`{3,})/.exec(lines[i] ?? '')?.[1] ?? '```'
        for (i++; i < lines.length && !(lines[i] ?? '').trim().startsWith(fence); i++);
      }
      continue
    }
    const indent = open[1] ?? ''
    const preamble: string[] = []
    let skip: string | undefined
    for (let j = i - 1; j >= 0; j--) {
      const text = (lines[j] ?? '').trim()
      const p = PREAMBLE.exec(text)
      const s = SKIP.exec(text)
      if (text === '') continue // prettier puts a blank line between the comments and the fence
      if (p) preamble.unshift(p[1] ?? '')
      else if (s) skip = (s[1] ?? '').replace(/^[(—-]\s*|\)$/g, '').trim() || '(no reason given)'
      else break
    }
    const code: string[] = []
    const start = i + 2
    for (i++; i < lines.length && !/^\s*```\s*$/.test(lines[i] ?? ''); i++)
      code.push((lines[i] ?? '').startsWith(indent) ? (lines[i] ?? '').slice(indent.length) : (lines[i] ?? ''))
    blocks.push({ file: relative(root, join(root, file)), line: start, code: code.join('\n'), preamble, skip })
  }
  return blocks
}

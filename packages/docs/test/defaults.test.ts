// One default model per task type and one flagship task per family, declared in the spec: the
// catalog (which the CLI and @goapi/batch read), the family packages' task functions and the
// generated READMEs all agree with it.
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

interface Catalog {
  families: Array<{ name: string; flagship?: string }>
  tasks: Array<{ family: string; taskType: string; function: string; models: string[]; defaultModel: string }>
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..')
const catalog = createRequire(import.meta.url)('@goapi/spec/catalog.json') as Catalog
const families = catalog.families.filter((f) => catalog.tasks.some((t) => t.family === f.name))
const readme = (family: string) => readFileSync(join(root, 'packages', family, 'README.md'), 'utf8')

describe('default models', () => {
  it('every task type declares a default model among its models', () => {
    for (const t of catalog.tasks) expect(t.models, `${t.family} ${t.function}`).toContain(t.defaultModel)
    const flux = catalog.tasks.find((t) => t.family === 'flux' && t.taskType === 'txt2img')
    expect(flux?.defaultModel).toBe('Qubico/flux1-schnell')
  })

  it("each family package's task function runs the catalog's default model", async () => {
    let checked = 0
    for (const f of families) {
      const mod = (await import(`@goapi/${f.name}`)) as Record<string, { models?: readonly string[] }>
      for (const t of catalog.tasks.filter((t) => t.family === f.name)) {
        expect(mod[t.function]?.models?.[0], `@goapi/${f.name} ${t.function}`).toBe(t.defaultModel)
        checked++
      }
    }
    expect(checked).toBe(catalog.tasks.length)
  })
})

describe('generated family READMEs', () => {
  it("show the family's flagship task and name the wait option timeoutMs", () => {
    for (const f of families) {
      const own = catalog.tasks.filter((t) => t.family === f.name)
      const flagship = f.flagship ?? own[0]?.function
      if (own.length > 1) expect(f.flagship, `${f.name} declares a flagship`).toBeDefined()
      expect(own.map((t) => t.function)).toContain(flagship)
      const text = readme(f.name)
      const example = /## Example\n\n```ts\n([\s\S]*?)```/.exec(text)?.[1] ?? ''
      expect(example, f.name).toContain(`import { ${flagship} } from '@goapi/${f.name}'`)
      expect(text, f.name).not.toContain('`timeout`')
      expect(text, f.name).toContain('`timeoutMs`')
    }
    expect(families.find((f) => f.name === 'flux')?.flagship).toBe('txt2img')
  })
})

// Streaming input: JSONL lines and CSV rows filled into a task template, typed by the spec.
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { expect, it } from 'vitest'
import { InputError, RequestValidator, readRows, type BatchRow } from '../src/index.js'
import { tempDir } from './helpers.js'

const validator = new RequestValidator()

async function all(rows: AsyncIterable<BatchRow>): Promise<BatchRow[]> {
  const out: BatchRow[] = []
  for await (const r of rows) out.push(r)
  return out
}

it('CSV: columns fill input fields with the types the spec gives them; dotted columns nest', async () => {
  const file = join(await tempDir(), 'rows.csv')
  await writeFile(file, 'prompt,width,height,__proto__.x\n"a fox, in snow",512,768,1\nplain,,,\n')
  const rows = await all(
    readRows(file, { template: { family: 'flux', task: 'txt2img', model: 'Qubico/flux1-schnell' }, validator }),
  )
  expect(rows).toHaveLength(2)
  const first = rows[0] as Extract<BatchRow, { request: unknown }>
  expect(first.request.model).toBe('Qubico/flux1-schnell')
  expect(first.request.input.prompt).toBe('a fox, in snow')
  expect(first.request.input.width).toBe(512)
  expect(Object.getPrototypeOf(first.request.input)).toBe(Object.prototype)
  expect(Object.hasOwn(first.request.input, '__proto__')).toBe(true)
  expect((rows[1] as Extract<BatchRow, { request: unknown }>).request.input).toEqual({ prompt: 'plain' })
  // The published spec accepts input keys it does not document (GoAPI does; spec/README.md), so the
  // row may be sent: what matters here is that the key stayed a plain own field.
  expect(validator.check(first.request)).toEqual([])
})

it('CSV without a template or with an unknown task is a clear error', async () => {
  const file = join(await tempDir(), 'rows.csv')
  await writeFile(file, 'prompt\nx\n')
  await expect(all(readRows(file, { validator }))).rejects.toThrow(InputError)
  await expect(all(readRows(file, { template: { family: 'flux', task: 'nope' }, validator }))).rejects.toThrow(
    /flux has no task "nope"/,
  )
})

it('JSONL: blank lines are skipped, every other line is one numbered row', async () => {
  const file = join(await tempDir(), 'p.jsonl')
  await writeFile(file, '{"model":"m","task_type":"t","input":{}}\n\n[1]\n{bad\n')
  const rows = await all(readRows(file))
  expect(rows.map((r) => r.row)).toEqual([1, 2, 3])
  expect('request' in (rows[0] as BatchRow)).toBe(true)
  expect(rows[1]).toEqual({ row: 2, error: 'must be a JSON object {"model", "task_type", "input", "config"?}' })
  expect((rows[2] as { error: string }).error).toMatch(/^not valid JSON/)
})

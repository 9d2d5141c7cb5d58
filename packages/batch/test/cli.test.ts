// `goapi batch` end to end on the simulator: CSV input, --json events, downloads into files/<row>/,
// the summary and status exit codes.
import { readFile, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { startMock } from '@goapi/mock'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { readResults, runCli, tempDir } from './helpers.js'

let mock: Awaited<ReturnType<typeof startMock>>
beforeAll(async () => {
  mock = await startMock({ latency: { pendingMs: 0, processingMs: 0 } })
})
afterAll(() => mock.close())

it('runs a CSV through a template, saves each row under files/<row>/, prints JSON events; status says what failed', async () => {
  const dir = await tempDir()
  const csv = join(dir, 'rows.csv')
  await writeFile(csv, 'prompt,width\na red fox,512\n[goapi-mock:fail] a storm,512\na blue bird,abc\n')
  const out = join(dir, 'out')
  const r = await runCli(
    ['batch', 'run', csv, '--family', 'flux', '--task', 'txt2img', '--out', out, '--json', '--poll-interval', '5'],
    mock.url,
  )
  expect(r.code, r.stderr).toBe(1)
  const events = r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { type: string; row?: number; status?: string })
  expect(events[0]).toMatchObject({ type: 'concurrency', reason: 'start' })
  expect(events.at(-1)).toMatchObject({ type: 'summary', total: 3, byStatus: { completed: 1, failed: 2 } })
  const results = await readResults(out)
  expect(results.map((x) => x.status)).toEqual(['completed', 'failed', 'failed'])
  expect(String(results[2]?.error)).toBe('invalid row: input.width: must be integer')
  expect(String(results[1]?.error)).toMatch(/generation failed/)
  const files = results[0]?.files as Array<{ path: string; bytes: number }>
  expect(files[0]?.path.startsWith(join('files', '1'))).toBe(true)
  expect((await stat(join(out, files[0]?.path ?? ''))).size).toBe(files[0]?.bytes)
  expect(mock.state.created).toBe(2)
  const status = await runCli(['batch', 'status', out], mock.url)
  expect(status.code).toBe(1)
  expect(status.stdout).toMatch(/completed\s+1/)
  expect(status.stdout).toMatch(/total\s+3/)
  expect(await readFile(join(out, 'journal.sqlite'))).toBeTruthy()
})

it('refuses CSV without a template and an output folder that holds another batch', async () => {
  const dir = await tempDir()
  const csv = join(dir, 'rows.csv')
  await writeFile(csv, 'prompt\nx\n')
  const noTemplate = await runCli(['batch', 'run', csv, '--out', join(dir, 'a')], mock.url)
  expect(noTemplate.code).toBe(2)
  expect(noTemplate.stderr).toMatch(/--family and --task/)
  const jsonl = join(dir, 'p.jsonl')
  await writeFile(jsonl, '{"model":"Qubico/flux1-schnell","task_type":"txt2img","input":{"prompt":"x"}}\n')
  const other = join(dir, 'other.jsonl')
  await writeFile(other, '{"model":"Qubico/flux1-schnell","task_type":"txt2img","input":{"prompt":"y"}}\n')
  expect((await runCli(['batch', 'run', jsonl, '--out', join(dir, 'b'), '--poll-interval', '5'], mock.url)).code).toBe(
    0,
  )
  const clash = await runCli(['batch', 'run', other, '--out', join(dir, 'b')], mock.url)
  expect(clash.code).toBe(2)
  expect(clash.stderr).toMatch(/holds a batch of/)
})

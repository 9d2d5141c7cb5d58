// runBatch against the simulator over HTTP: per-row validation before billing, the account's
// concurrency limit observed at the simulator, 429 bursts, the credit budget and row downloads.
import { readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { createClient } from '@goapi/client'
import { startMock } from '@goapi/mock'
import { afterEach, describe, expect, it } from 'vitest'
import { MemoryStore, parseJsonLine, rowDownloader, runBatch, type BatchEvent, type BatchRow } from '../src/index.js'
import { fluxRows, tempDir } from './helpers.js'

const mocks: Array<{ close(): Promise<void> }> = []
afterEach(async () => {
  for (const m of mocks.splice(0)) await m.close()
})

async function simulator(options: Parameters<typeof startMock>[0] = {}) {
  const lines: string[] = []
  const mock = await startMock({ latency: { pendingMs: 0, processingMs: 0 }, log: (l) => lines.push(l), ...options })
  mocks.push(mock)
  return { mock, lines }
}

const rowsOf = (lines: string[]): BatchRow[] => lines.map((l, i) => parseJsonLine(i + 1, l))
const poll = { initialDelayMs: 5, maxDelayMs: 20 }

async function collect(iterable: AsyncIterable<{ row: number; status: string; error?: string }>) {
  const out = []
  for await (const r of iterable) out.push(r)
  return out.sort((a, b) => a.row - b.row)
}

describe('runBatch', () => {
  it('fails a malformed line, an unknown model and a wrong field per row, before anything is billed; the others run', async () => {
    const { mock, lines } = await simulator()
    const client = createClient({ apiKey: 'k', baseUrl: mock.url })
    const good = fluxRows(3, 'ok')
    const input = [
      good[0] as string,
      '{"model": "Qubico/flux1-schnell", "task_type": ',
      JSON.stringify({ model: 'no-such-model', task_type: 'txt2img', input: { prompt: 'x' } }),
      JSON.stringify({ model: 'Qubico/flux1-schnell', task_type: 'txt2img', input: { prompt: 'x', colour: 'red' } }),
      JSON.stringify({ model: 'Qubico/flux1-schnell', task_type: 'txt2img', input: { prompt: 42 } }),
      good[1] as string,
      good[2] as string,
    ]
    const results = await collect(runBatch(client, rowsOf(input), { concurrency: 4, poll }))
    expect(results.map((r) => r.status)).toEqual([
      'completed',
      'failed',
      'failed',
      'completed', // an input key the spec does not document is sent as given (GoAPI accepts it)
      'failed',
      'completed',
      'completed',
    ])
    expect(results[1]?.error).toMatch(/^invalid row: not valid JSON/)
    expect(results[2]?.error).toBe('invalid row: model: unknown model "no-such-model"')
    expect(results[3]?.error).toBeUndefined()
    expect(results[4]?.error).toBe('invalid row: input.prompt: must be string')
    expect(mock.state.created).toBe(4)
    expect(lines.filter((l) => l.startsWith('POST /api/v1/task '))).toHaveLength(4)
  })

  it("starts from the account's max_concurrent_task_count: never more than 5 open at the simulator, no 429", async () => {
    let maxOpen = 0
    const { mock, lines } = await simulator({
      accounts: { limited: { concurrency: 5 } },
      latency: { pendingMs: 15, processingMs: 15 },
      log: (line) => {
        lines.push(line)
        const open = mock.accounts
          .of('limited')
          .active(Date.now())
          .filter((t) => Date.now() < t.createdAt + 30).length
        maxOpen = Math.max(maxOpen, open)
      },
    })
    const client = createClient({ apiKey: 'limited', baseUrl: mock.url })
    const events: BatchEvent[] = []
    const results = await collect(runBatch(client, rowsOf(fluxRows(60)), { poll, onEvent: (e) => events.push(e) }))
    expect(events[0]).toEqual({ type: 'concurrency', limit: 5, reason: 'start' })
    expect(results.every((r) => r.status === 'completed')).toBe(true)
    expect(mock.state.created).toBe(60)
    expect(lines.filter((l) => l.startsWith('POST /api/v1/task ') && l.includes(' 429 '))).toEqual([])
    expect(maxOpen).toBeGreaterThan(0)
    expect(maxOpen).toBeLessThanOrEqual(5)
  })

  it('a concurrency above the account limit and a burst of 429s slow the run; no row fails, none is created twice', async () => {
    const { mock, lines } = await simulator({
      accounts: { limited: { concurrency: 5 } },
      latency: { pendingMs: 10, processingMs: 10 },
    })
    mock.faults.add({ route: 'POST /api/v1/task', status: 429, retryAfter: 1, times: 10 })
    const client = createClient({ apiKey: 'limited', baseUrl: mock.url })
    const events: BatchEvent[] = []
    const results = await collect(
      runBatch(client, rowsOf(fluxRows(40)), { concurrency: 20, poll, onEvent: (e) => events.push(e) }),
    )
    expect(results.every((r) => r.status === 'completed')).toBe(true)
    expect(mock.state.created).toBe(40)
    expect(lines.filter((l) => l.startsWith('POST /api/v1/task ') && l.includes(' 429')).length).toBeGreaterThan(0)
    expect(events.some((e) => e.type === 'concurrency' && e.reason === 'rate-limited' && e.limit < 20)).toBe(true)
  })

  it('--max-credits: creates nothing that could exceed the budget and skips the rest', async () => {
    const { mock } = await simulator()
    const client = createClient({ apiKey: 'k', baseUrl: mock.url })
    const results = await collect(
      runBatch(client, rowsOf(fluxRows(30)), { concurrency: 4, poll, maxCredits: 150_000 * 10 + 1 }),
    )
    expect(results.filter((r) => r.status === 'completed')).toHaveLength(10)
    expect(results.filter((r) => r.status === 'skipped')).toHaveLength(20)
    expect(mock.state.created).toBe(10)
  })

  it('saves files under files/<row>/ with the safe downloader', async () => {
    const { mock } = await simulator()
    const client = createClient({ apiKey: 'k', baseUrl: mock.url })
    const dir = await tempDir()
    const store = new MemoryStore()
    const results = []
    for await (const r of runBatch(client, rowsOf(fluxRows(2)), {
      concurrency: 2,
      poll,
      journal: store,
      download: rowDownloader(dir, { allowPrivateHosts: true }),
    }))
      results.push(r)
    expect(results.every((r) => r.status === 'completed')).toBe(true)
    for (const row of [1, 2]) {
      const files = await readdir(join(dir, 'files', String(row)))
      expect(files.length).toBeGreaterThan(0)
      const saved = results.find((r) => r.row === row)?.files ?? []
      expect(saved[0]?.path.startsWith(join('files', String(row)))).toBe(true)
      expect((await stat(join(dir, saved[0]?.path ?? ''))).size).toBe(saved[0]?.bytes)
    }
  })

  it('refuses file URLs on private hosts unless allowed: the row stays running with the reason', async () => {
    const { mock } = await simulator()
    const client = createClient({ apiKey: 'k', baseUrl: mock.url })
    const dir = await tempDir()
    const results = await collect(
      runBatch(client, rowsOf(fluxRows(1)), { concurrency: 1, poll, download: rowDownloader(dir) }),
    )
    expect(results[0]?.status).toBe('running')
    expect(results[0]?.error).toMatch(/files not saved: .*blocked_host/)
  })

  it('a row claimed its task just before a crash (still submitting): resumed as that task, not created again', async () => {
    const { mock } = await simulator()
    const client = createClient({ apiKey: 'k', baseUrl: mock.url })
    const request = { model: 'Qubico/flux1-schnell', task_type: 'txt2img', input: { prompt: 'claimed' } }
    const store = new MemoryStore()
    store.put({ row: 1, status: 'submitting', request, submittedAt: Date.now(), attempts: 1 })
    const task = await client.createUntypedTask(request)
    store.claim(1, task.task_id)
    const results = await collect(
      runBatch(client, [{ row: 1, request }], { concurrency: 1, poll, journal: store, reconcileAfterMs: 0 }),
    )
    expect(results[0]).toMatchObject({ row: 1, status: 'completed', taskId: task.task_id })
    expect(mock.state.created).toBe(1)
  })

  it('a row left submitting whose create never reached GoAPI is proven absent and created once', async () => {
    const { mock } = await simulator()
    const client = createClient({ apiKey: 'k', baseUrl: mock.url })
    const request = { model: 'Qubico/flux1-schnell', task_type: 'txt2img', input: { prompt: 'lost' } }
    const store = new MemoryStore()
    store.put({ row: 1, status: 'submitting', request, submittedAt: Date.now(), attempts: 1 })
    const results = await collect(
      runBatch(client, [{ row: 1, request }], { concurrency: 1, poll, journal: store, reconcileAfterMs: 0 }),
    )
    expect(results[0]).toMatchObject({ row: 1, status: 'completed' })
    expect(mock.state.created).toBe(1)
  })

  it('a row whose history cannot be read stays unknown and is not created', async () => {
    const { mock } = await simulator()
    mock.faults.add({ route: 'GET /api/open/tasks/histories', status: 404 })
    const client = createClient({ apiKey: 'k', baseUrl: mock.url })
    const request = { model: 'Qubico/flux1-schnell', task_type: 'txt2img', input: { prompt: 'unknowable' } }
    const store = new MemoryStore()
    store.put({ row: 1, status: 'submitting', request, submittedAt: Date.now(), attempts: 1 })
    const results = await collect(
      runBatch(client, [{ row: 1, request }], { concurrency: 1, poll, journal: store, reconcileAfterMs: 0 }),
    )
    expect(results[0]?.status).toBe('unknown')
    expect(results[0]?.error).toMatch(/could not read the account's tasks/)
    expect(mock.state.created).toBe(0)
    const again = await collect(
      runBatch(client, [{ row: 1, request }], { concurrency: 1, poll, journal: store, resubmitUnknown: true }),
    )
    expect(again[0]?.status).toBe('completed')
    expect(mock.state.created).toBe(1)
  })
})

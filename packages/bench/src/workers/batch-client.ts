// Child process: runBatch over N rows with a SQLite journal, against the simulator; reports wall
// time, completions, creates sent and RSS after each tenth of the rows.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { createClient } from '@goapi/client'
import { SqliteJournal, runBatch, type BatchRow } from '@goapi/batch'
import type { BatchSample } from '../batch.js'

const { url, rows, pollMs } = JSON.parse(process.argv[2] ?? '{}') as { url: string; rows: number; pollMs: number }

let creates = 0
const client = createClient({
  apiKey: 'bench-key',
  baseUrl: url,
  fetch: (input, init) => {
    if ((input instanceof Request ? input.method : (init?.method ?? 'GET')).toUpperCase() === 'POST') creates++
    return fetch(input, init)
  },
})

function* input(): Generator<BatchRow> {
  for (let row = 1; row <= rows; row++)
    yield { row, request: { model: 'Qubico/flux1-schnell', task_type: 'txt2img', input: { prompt: `bench ${row}` } } }
}

const dir = await mkdtemp(path.join(tmpdir(), 'goapi-bench-batch-'))
const journal = new SqliteJournal(path.join(dir, 'journal.sqlite'))
const rssMb: number[] = []
const heapMb: number[] = []
const step = Math.max(1, Math.floor(rows / 10))
let completed = 0
let seen = 0
const started = performance.now()
for await (const result of runBatch(client, input(), {
  journal,
  poll: { initialDelayMs: pollMs, maxDelayMs: pollMs, factor: 1, jitter: 0 },
})) {
  seen++
  if (result.status === 'completed') completed++
  if (seen % step === 0) {
    // After a full collection, so the samples show what is retained, not garbage not yet collected.
    ;(globalThis as { gc?: () => void }).gc?.()
    rssMb.push(process.memoryUsage.rss() / 2 ** 20)
    heapMb.push(process.memoryUsage().heapUsed / 2 ** 20)
  }
}
const wallMs = performance.now() - started
journal.close()
await rm(dir, { recursive: true, force: true })
const sample: BatchSample = { rows, completed, wallMs, creates, rssMb, heapMb }
process.send?.(sample)
process.disconnect?.()

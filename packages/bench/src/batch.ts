// (7) Batch: @goapi/batch runs N rows on the simulator (its own process) under an account limit L
// with tasks of D ms: wall time against the limit-bound floor ceil(N / L) × D, RSS sampled as rows
// complete (flat means it does not grow with the row count), and the journal's cost per row.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { MemoryStore, SqliteJournal, type RowStore } from '@goapi/batch'
import { startMockProcess, startWorker } from './child.js'
import { stat, type Stat } from './stats.js'

export interface BatchBenchOptions {
  rows: number
  /** The simulator account's `max_concurrent_task_count`. */
  limit: number
  latency: { pendingMs: number; processingMs: number }
  /** Fixed poll interval of the batch's waits, ms. */
  pollMs: number
  /** Rows for the journal micro-benchmark. */
  journalRows: number
}

/** What the batch worker process reports. */
export interface BatchSample {
  rows: number
  completed: number
  wallMs: number
  creates: number
  /** RSS after each tenth of the rows (after a full GC), MB. */
  rssMb: number[]
  /** V8 heap in use at the same points, MB. */
  heapMb: number[]
}

export interface BatchBenchResult {
  options: BatchBenchOptions
  floorMs: number
  wallMs: number
  wallToFloor: number
  completed: number
  creates: number
  /** RSS at 20 % of the rows and at 100 %, MB; growth between them per 10,000 rows. */
  rssAt20Mb: number
  rssAt100Mb: number
  rssGrowthPer10kMb: number
  /** The same for the V8 heap in use (what the process retains). */
  heapGrowthPer10kMb: number
  /** Main-thread journal cost of one row's four writes (submitting, claim, running, completed), µs. */
  journalUsPerRow: { sqlite: Stat; memory: Stat }
  /** One fsync of the WAL (`flush()`, off the main thread, shared by the rows waiting), ms. */
  flushMs: Stat
}

/** Main-thread cost of one row's four journal writes (µs), and the fsync (`flush`) latency (ms). */
async function journalCost(
  store: () => Promise<{ s: RowStore; done: () => Promise<void> }>,
  rows: number,
): Promise<{ usPerRow: number; flushMs: number }> {
  const { s, done } = await store()
  const request = { model: 'Qubico/flux1-schnell', task_type: 'txt2img', input: { prompt: 'bench' } }
  let writesMs = 0
  const flushes: number[] = []
  for (let row = 1; row <= rows; row++) {
    const submitting = { row, status: 'submitting' as const, request, submittedAt: Date.now(), attempts: 1 }
    const t0 = performance.now()
    await s.putIf(undefined, submitting)
    await s.claim(row, `task-${row}`)
    await s.put({ ...submitting, status: 'running', taskId: `task-${row}`, credits: 150_000 })
    await s.put({ ...submitting, status: 'completed', taskId: `task-${row}`, credits: 150_000, files: [] })
    writesMs += performance.now() - t0
    if (row % 100 === 0 && s.flush) {
      const t1 = performance.now()
      await s.flush()
      flushes.push(performance.now() - t1)
    }
  }
  await done()
  return { usPerRow: (writesMs * 1000) / rows, flushMs: flushes.length ? stat(flushes).median : 0 }
}

async function sqliteStore() {
  const dir = await mkdtemp(path.join(tmpdir(), 'goapi-bench-journal-'))
  const journal = new SqliteJournal(path.join(dir, 'journal.sqlite'))
  return {
    s: journal as RowStore,
    done: async () => {
      journal.close()
      await rm(dir, { recursive: true, force: true })
    },
  }
}

export async function measureBatch(options: BatchBenchOptions): Promise<BatchBenchResult> {
  const mock = await startMockProcess(options.latency, { accounts: { 'bench-key': { concurrency: options.limit } } })
  let sample: BatchSample
  try {
    const worker = startWorker(
      'batch-client',
      [JSON.stringify({ url: mock.url, rows: options.rows, pollMs: options.pollMs })],
      ['--expose-gc'],
    )
    sample = await worker.next<BatchSample>()
    await worker.exited
  } finally {
    await mock.close()
  }
  const taskMs = options.latency.pendingMs + options.latency.processingMs
  const floorMs = Math.ceil(options.rows / options.limit) * taskMs
  const sqlite: number[] = []
  const flush: number[] = []
  const memory: number[] = []
  for (let i = 0; i < 3; i++) {
    const cost = await journalCost(sqliteStore, options.journalRows)
    sqlite.push(cost.usPerRow)
    flush.push(cost.flushMs)
    const mem = await journalCost(async () => ({ s: new MemoryStore(), done: async () => {} }), options.journalRows)
    memory.push(mem.usPerRow)
  }
  const at20 = sample.rssMb[1] ?? sample.rssMb[0] ?? 0
  const at100 = sample.rssMb.at(-1) ?? 0
  return {
    options,
    floorMs,
    wallMs: sample.wallMs,
    wallToFloor: sample.wallMs / floorMs,
    completed: sample.completed,
    creates: sample.creates,
    rssAt20Mb: at20,
    rssAt100Mb: at100,
    rssGrowthPer10kMb: ((at100 - at20) * 10_000) / (options.rows * 0.8),
    heapGrowthPer10kMb: (((sample.heapMb.at(-1) ?? 0) - (sample.heapMb[1] ?? 0)) * 10_000) / (options.rows * 0.8),
    journalUsPerRow: { sqlite: stat(sqlite), memory: stat(memory) },
    flushMs: stat(flush),
  }
}

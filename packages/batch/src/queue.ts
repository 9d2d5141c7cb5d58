// Distributed batches on BullMQ: one job per row (job id = batch id + row number) on one queue;
// workers anywhere run the same submit/reconcile rule as the local runner, with the row journal in
// Redis. A worker killed mid-job leaves its job stalled; BullMQ hands it to another worker, which
// finds the row `submitting` or `running` in Redis and reconciles or waits instead of creating again.
import { Queue, Worker, type ConnectionOptions, type Job } from 'bullmq'
import { Redis } from 'ioredis'
import type { GoApiClient } from '@goapi/client'
import type { BatchRow } from './input.js'
import { sameStep, type RowState, type RowStore } from './journal.js'
import { createContext, executeRow, startingConcurrency, type BatchOptions, type RowContext } from './run.js'

export const DEFAULT_QUEUE = 'goapi-batch'

export interface QueueTarget {
  /** `redis://[user:password@]host:port[/db]` */
  url: string
  /** Queue name. Default `goapi-batch`. */
  name?: string
}

/** One batch's row journal in Redis: `goapi-batch:<batch>:row:<n>` (JSON) and `...:owner:<task_id>`. */
export class RedisStore implements RowStore {
  constructor(
    private readonly redis: Redis,
    private readonly ns: string,
  ) {}

  async get(row: number): Promise<RowState | undefined> {
    const raw = await this.redis.get(`${this.ns}:row:${row}`)
    return raw === null ? undefined : (JSON.parse(raw) as RowState)
  }

  async put(state: RowState): Promise<void> {
    await this.redis.set(`${this.ns}:row:${state.row}`, JSON.stringify(state))
  }

  async putIf(expected: RowState | undefined, next: RowState): Promise<boolean> {
    const key = `${this.ns}:row:${next.row}`
    // WATCH/MULTI: the write happens only if nobody changed the row since we read it.
    for (;;) {
      await this.redis.watch(key)
      const raw = await this.redis.get(key)
      const current = raw === null ? undefined : (JSON.parse(raw) as RowState)
      if (!sameStep(current, expected)) {
        await this.redis.unwatch()
        return false
      }
      const done = await this.redis.multi().set(key, JSON.stringify(next)).exec()
      if (done !== null) return true
    }
  }

  async claim(row: number, taskId: string): Promise<boolean> {
    const key = `${this.ns}:owner:${taskId}`
    if ((await this.redis.set(key, String(row), 'NX')) === 'OK') return true
    return (await this.redis.get(key)) === String(row)
  }

  async ownerOf(taskId: string): Promise<number | undefined> {
    const row = await this.redis.get(`${this.ns}:owner:${taskId}`)
    return row === null ? undefined : Number(row)
  }

  /** Marks a row as done with (for this batch's coordinator). */
  async finish(row: number): Promise<void> {
    await this.redis.sadd(`${this.ns}:final`, String(row))
  }

  async finishedCount(): Promise<number> {
    return this.redis.scard(`${this.ns}:final`)
  }
}

const namespace = (name: string, batch: string) => `${name}:${batch}`
const jobId = (batch: string, row: number) => `${batch}-${row}`

interface JobData {
  batch: string
  row: BatchRow
}

function connection(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, lazyConnect: false })
}

/** Adds one job per row (idempotent: a row already queued keeps its job). Resolves with the row count. */
export async function enqueueRows(
  target: QueueTarget,
  batch: string,
  rows: AsyncIterable<BatchRow> | Iterable<BatchRow>,
): Promise<number> {
  const redis = connection(target.url)
  const queue = new Queue<JobData>(target.name ?? DEFAULT_QUEUE, { connection: redis as ConnectionOptions })
  let count = 0
  let chunk: BatchRow[] = []
  const flush = async () => {
    await queue.addBulk(
      chunk.map((row) => ({
        name: 'row',
        data: { batch, row },
        opts: {
          jobId: jobId(batch, row.row),
          removeOnComplete: true,
          removeOnFail: true,
          attempts: 5,
          backoff: { type: 'exponential', delay: 1000 },
        },
      })),
    )
    chunk = []
  }
  try {
    for await (const row of rows) {
      chunk.push(row)
      count++
      if (chunk.length >= 500) await flush()
    }
    if (chunk.length > 0) await flush()
  } finally {
    await queue.close()
    redis.disconnect()
  }
  return count
}

/** Reads a distributed batch's rows from Redis (for the coordinator's results). */
export class BatchProgress {
  private readonly redis: Redis
  private readonly store: RedisStore
  constructor(target: QueueTarget, batch: string) {
    this.redis = connection(target.url)
    this.store = new RedisStore(this.redis, namespace(target.name ?? DEFAULT_QUEUE, batch))
  }
  finished(): Promise<number> {
    return this.store.finishedCount()
  }
  row(row: number): Promise<RowState | undefined> {
    return this.store.get(row)
  }
  close(): void {
    this.redis.disconnect()
  }
}

export interface WorkerOptions extends Omit<BatchOptions, 'journal'> {
  /** BullMQ job lock: a worker silent this long is considered dead and its jobs stalled. Default 30 000. */
  lockDurationMs?: number
}

/** Starts a worker; `close()` stops it (jobs in flight return to the queue as stalled). */
export async function startWorker(client: GoApiClient, target: QueueTarget, options: WorkerOptions = {}) {
  const redis = connection(target.url)
  const limit = await startingConcurrency(client, options)
  const contexts = new Map<string, { ctx: RowContext; store: RedisStore }>()
  const contextOf = (batch: string) => {
    let c = contexts.get(batch)
    if (!c) {
      const store = new RedisStore(redis, namespace(target.name ?? DEFAULT_QUEUE, batch))
      c = { ctx: createContext(client, store, limit, options), store }
      contexts.set(batch, c)
    }
    return c
  }
  const lock = options.lockDurationMs ?? 30_000
  const worker = new Worker<JobData>(
    target.name ?? DEFAULT_QUEUE,
    async (job: Job<JobData>) => {
      const { ctx, store } = contextOf(job.data.batch)
      const state = await executeRow(ctx, job.data.row)
      if (options.signal?.aborted) throw new Error('worker stopping')
      await store.finish(state.row)
      return { row: state.row, status: state.status }
    },
    {
      connection: redis as ConnectionOptions,
      concurrency: limit,
      lockDuration: lock,
      stalledInterval: lock,
      maxStalledCount: 1000,
    },
  )
  await worker.waitUntilReady()
  return {
    worker,
    async close() {
      await worker.close()
      redis.disconnect()
    },
  }
}

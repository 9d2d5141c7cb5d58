// goapi batch run|status|resume|worker: bulk generation with @goapi/batch. Every row is journaled in
// <out>/journal.sqlite, so `resume` (or the same `run` again) continues after a crash without
// creating any row's task twice; `--queue` spreads the rows over BullMQ workers on Redis.
import { randomUUID } from 'node:crypto'
import { setMaxListeners } from 'node:events'
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import {
  BatchProgress,
  RequestValidator,
  allCompleted,
  enqueueRows,
  openJournal,
  readRows,
  rowDownloader,
  runBatch,
  startWorker,
  writeResults,
  type BatchEvent,
  type BatchRow,
  type BatchOptions,
  type CsvTemplate,
  type SqliteJournal,
  type StatusCounts,
} from '@goapi/batch'
import { createLogUpdate } from 'log-update'
import { connect, type Backend, type GlobalOptions } from '../backend.js'
import { CliError, EXIT } from '../errors.js'
import { duration, table } from '../format.js'
import { Interrupt } from '../interrupt.js'
import { jsonText, show } from '../output.js'
import { parseSize } from '../download.js'

/** One JSON line, with the characters a terminal could act on escaped (as `jsonText` does). */
const jsonLine = (value: unknown): string => `${jsonText(value).replace(/\n */g, '')}\n`

export interface BatchRunOptions {
  out: string
  concurrency?: string
  maxCredits?: string
  family?: string
  task?: string
  model?: string
  queue?: string
  resubmitUnknown?: boolean
  reconcileAfter?: string
  requestTimeout?: string
  pollInterval?: string
  json?: boolean
  download?: boolean
  allowPrivateDownloads?: boolean
  maxFileSize?: string
}

const positive = (value: string | undefined, flag: string): number | undefined => {
  if (value === undefined) return undefined
  const n = Number(value)
  if (!Number.isFinite(n) || n < 0)
    throw new CliError(`${flag} must be a non-negative number, got "${value}"`, EXIT.usage)
  return n
}

interface Meta {
  input: string
  format: 'jsonl' | 'csv'
  template?: CsvTemplate
  queue?: string
  batch: string
}

function readMeta(journal: SqliteJournal): Meta | undefined {
  const raw = journal.getMeta('batch')
  return raw === undefined ? undefined : (JSON.parse(raw) as Meta)
}

export async function batchRun(input: string, options: BatchRunOptions, globals: GlobalOptions): Promise<number> {
  const file = resolve(input)
  if (!existsSync(file)) throw new CliError(`no such input file: ${input}`, EXIT.usage)
  const format = /\.csv$/i.test(file) ? 'csv' : 'jsonl'
  if (format === 'csv' && (!options.family || !options.task))
    throw new CliError('CSV input needs --family and --task (its columns fill input fields)', EXIT.usage)
  const journal = await openJournal(options.out)
  try {
    const existing = readMeta(journal)
    if (existing && existing.input !== file)
      throw new CliError(
        `${options.out} holds a batch of ${existing.input}; use another --out, or: goapi batch resume ${options.out}`,
        EXIT.usage,
      )
    const meta: Meta = existing ?? {
      input: file,
      format,
      ...(options.family && options.task
        ? {
            template: {
              family: options.family,
              task: options.task,
              ...(options.model ? { model: options.model } : {}),
            },
          }
        : {}),
      ...(options.queue ? { queue: options.queue } : {}),
      batch: randomUUID(),
    }
    if (!existing) journal.setMeta('batch', JSON.stringify(meta))
    return await execute(journal, meta, options, globals)
  } finally {
    journal.close()
  }
}

export async function batchResume(
  dir: string,
  options: Omit<BatchRunOptions, 'out'>,
  globals: GlobalOptions,
): Promise<number> {
  if (!existsSync(resolve(dir, 'journal.sqlite')))
    throw new CliError(`${dir} holds no batch (no journal.sqlite)`, EXIT.usage)
  const journal = await openJournal(dir)
  try {
    const meta = readMeta(journal)
    if (!meta) throw new CliError(`${dir} holds no batch`, EXIT.usage)
    return await execute(journal, meta, { ...options, out: dir }, globals)
  } finally {
    journal.close()
  }
}

export async function batchStatus(dir: string, options: { json?: boolean }): Promise<number> {
  if (!existsSync(resolve(dir, 'journal.sqlite')))
    throw new CliError(`${dir} holds no batch (no journal.sqlite)`, EXIT.usage)
  const journal = await openJournal(dir)
  try {
    const counts = journal.counts()
    if (options.json) process.stdout.write(jsonLine(counts))
    else process.stdout.write(`${summary(counts)}\n`)
    return allCompleted(counts) ? EXIT.ok : EXIT.failure
  } finally {
    journal.close()
  }
}

export async function batchWorker(
  options: {
    queue: string
    concurrency?: string
    lockMs?: string
    reconcileAfter?: string
    requestTimeout?: string
    pollInterval?: string
  },
  globals: GlobalOptions,
): Promise<number> {
  const backend = await connect(globals, (line) => process.stderr.write(`${line}\n`))
  const interrupt = new Interrupt()
  // Every row in flight listens to the one signal.
  setMaxListeners(0, interrupt.signal)
  const stop = () => interrupt.controller.abort()
  process.once('SIGTERM', stop)
  try {
    const concurrency = positive(options.concurrency, '--concurrency')
    const worker = await startWorker(
      backend.client,
      { url: options.queue },
      {
        ...(concurrency ? { concurrency } : {}),
        ...(options.lockMs ? { lockDurationMs: positive(options.lockMs, '--lock-ms') } : {}),
        ...runtime(options),
        signal: interrupt.signal,
      },
    )
    process.stderr.write(`goapi batch worker: waiting for rows on ${redactUrl(options.queue)}\n`)
    await new Promise<void>((r) => interrupt.signal.addEventListener('abort', () => r(), { once: true }))
    await worker.close()
    return EXIT.interrupted
  } finally {
    process.off('SIGTERM', stop)
    interrupt.dispose()
    await backend.close()
  }
}

function runtime(options: {
  pollInterval?: string
  reconcileAfter?: string
  requestTimeout?: string
  maxCredits?: string
  resubmitUnknown?: boolean
}): Partial<BatchOptions> {
  const reconcileAfterMs = positive(options.reconcileAfter, '--reconcile-after')
  const requestTimeoutMs = positive(options.requestTimeout, '--request-timeout')
  const maxCredits = positive(options.maxCredits, '--max-credits')
  const pollMs = positive(options.pollInterval, '--poll-interval')
  return {
    ...(pollMs !== undefined ? { poll: { initialDelayMs: pollMs, maxDelayMs: Math.max(pollMs, 3_000) } } : {}),
    ...(reconcileAfterMs !== undefined ? { reconcileAfterMs } : {}),
    ...(requestTimeoutMs !== undefined ? { requestTimeoutMs } : {}),
    ...(maxCredits !== undefined ? { maxCredits } : {}),
    ...(options.resubmitUnknown ? { resubmitUnknown: true } : {}),
  }
}

/** A Redis URL without its password, for messages. */
function redactUrl(url: string): string {
  try {
    const u = new URL(url)
    if (u.password) u.password = '***'
    return u.toString()
  } catch {
    return '(invalid URL)'
  }
}

async function execute(
  journal: SqliteJournal,
  meta: Meta,
  options: BatchRunOptions,
  globals: GlobalOptions,
): Promise<number> {
  const validator = new RequestValidator()
  const rows = readRows(meta.input, {
    format: meta.format,
    ...(meta.template ? { template: meta.template } : {}),
    validator,
  })
  const started = Date.now()
  const view = createView(Boolean(options.json), journal.counts(), started)
  const interrupt = new Interrupt()
  // Every row in flight listens to the one signal.
  setMaxListeners(0, interrupt.signal)
  const stop = () => interrupt.controller.abort()
  process.once('SIGTERM', stop)
  const backend = await connect(globals, (line) => process.stderr.write(`${line}\n`))
  try {
    const queue = options.queue ?? meta.queue
    if (queue)
      await coordinate(
        journal,
        meta,
        queue,
        rows,
        view,
        interrupt.signal,
        backend,
        options.download !== false ? downloader(options, backend) : undefined,
      )
    else await local(journal, rows, validator, backend, view, interrupt.signal, options)
  } finally {
    process.off('SIGTERM', stop)
    interrupt.dispose()
    await backend.close()
  }
  await writeResults(journal, options.out)
  const counts = journal.counts()
  view.done(counts)
  if (interrupt.interrupted) return EXIT.interrupted
  return allCompleted(counts) ? EXIT.ok : EXIT.failure
}

async function local(
  journal: SqliteJournal,
  rows: AsyncIterable<BatchRow>,
  validator: RequestValidator,
  backend: Backend,
  view: View,
  signal: AbortSignal,
  options: BatchRunOptions,
): Promise<void> {
  const concurrency = positive(options.concurrency, '--concurrency')
  const spent = Object.values(journal.counts().creditsByModel).reduce((a, b) => a + b, 0)
  const results = runBatch(backend.client, rows, {
    journal,
    validator,
    signal,
    onEvent: view.event,
    spentCredits: spent,
    ...(concurrency ? { concurrency } : {}),
    ...(backend.poll ? { poll: backend.poll } : {}),
    ...(options.download !== false ? { download: downloader(options, backend) } : {}),
    ...runtime(options),
  })
  for await (const result of results) view.result(result.status)
}

/** Saves a completed row's files under `<out>/files/<row>/` (private hosts only when the API itself is on one, or when asked). */
function downloader(options: BatchRunOptions, backend: Backend) {
  return rowDownloader(options.out, {
    allowPrivateHosts: Boolean(options.allowPrivateDownloads) || backend.privateBase,
    ...(options.maxFileSize ? { maxBytes: parseSize(options.maxFileSize) } : {}),
  })
}

async function coordinate(
  journal: SqliteJournal,
  meta: Meta,
  queue: string,
  rows: AsyncIterable<BatchRow>,
  view: View,
  signal: AbortSignal,
  backend: Backend,
  download: ReturnType<typeof downloader> | undefined,
): Promise<void> {
  const target = { url: queue }
  const total = await enqueueRows(target, meta.batch, rows)
  const progress = new BatchProgress(target, meta.batch)
  try {
    for (;;) {
      const finished = await progress.finished()
      view.tick(finished, total)
      if (finished >= total || signal.aborted) break
      await new Promise((r) => setTimeout(r, 250))
    }
    for (let row = 1; row <= total; row++) {
      const state = await progress.row(row)
      if (!state) continue
      // Workers leave the files to this machine: the output folder is here.
      if (download && state.status === 'completed' && state.taskId && !state.files?.length && !signal.aborted) {
        try {
          state.files = await download(await backend.client.getTask(state.taskId, { signal }), row, signal)
        } catch (error) {
          state.status = 'running'
          state.error = `files not saved: ${error instanceof Error ? error.message : String(error)}`
        }
      }
      journal.put(state)
    }
  } finally {
    progress.close()
  }
}

interface View {
  event: (e: BatchEvent) => void
  result: (status: string) => void
  tick: (finished: number, total: number) => void
  done: (counts: StatusCounts) => void
}

/** Live lines on a terminal, plain lines otherwise, JSON lines with --json. */
function createView(json: boolean, initial: StatusCounts, started: number): View {
  const tty = Boolean(process.stderr.isTTY) && !json
  const render = tty ? createLogUpdate(process.stderr) : undefined
  const seen = { completed: 0, failed: 0, unknown: 0, skipped: 0, other: 0 }
  let running = 0
  let credits = Object.values(initial.creditsByModel).reduce((a, b) => a + b, 0)
  let limit = 0
  let last = 0
  const line = () => {
    const done = seen.completed + seen.failed + seen.unknown + seen.skipped
    const elapsed = (Date.now() - started) / 1000
    const rate = elapsed > 0 ? seen.completed / elapsed : 0
    const left = Math.max(0, initial.total - done)
    const eta = rate > 0 && initial.total > done ? duration((left / rate) * 1000) : '-'
    return [
      `done ${seen.completed}  running ${running}  failed ${seen.failed}  unknown ${seen.unknown}  skipped ${seen.skipped}`,
      `rate ${rate.toFixed(1)}/s  eta ${eta}  concurrency ${limit}  credits ${credits}`,
    ].join('\n')
  }
  const paint = () => {
    if (render) render(line())
    else if (!json && Date.now() - last > 2000) {
      last = Date.now()
      process.stderr.write(`${line().replace('\n', '  ')}\n`)
    }
  }
  return {
    event(e) {
      if (json) process.stdout.write(jsonLine(e.type === 'row' && e.error ? { ...e, error: show(e.error) } : e))
      if (e.type === 'concurrency') limit = e.limit
      if (e.type === 'row' && e.status === 'running') running++
      if (e.type === 'row' && e.credits && e.status === 'running') credits += e.credits
      paint()
    },
    result(status) {
      if (status in seen) seen[status as keyof typeof seen]++
      else seen.other++
      running = Math.max(0, running - (status === 'completed' || status === 'failed' ? 1 : 0))
      paint()
    },
    tick(finished, total) {
      if (json) process.stdout.write(jsonLine({ type: 'progress', finished, total }))
      else if (render) render(`finished ${finished}/${total}`)
    },
    done(counts) {
      render?.clear()
      if (json) process.stdout.write(jsonLine({ type: 'summary', ...counts }))
      else process.stderr.write(`${summary(counts)}\n`)
    },
  }
}

/** The summary table: rows by status, then points per model. */
export function summary(counts: StatusCounts): string {
  const statuses = Object.entries(counts.byStatus)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => [s, String(n)])
  const models = Object.entries(counts.creditsByModel)
  const credits = models.length
    ? `\n\n${table(
        ['model', 'credits'],
        models.map(([m, c]) => [show(m), String(c)]),
      )}`
    : ''
  return `${table(['status', 'rows'], [...statuses, ['total', String(counts.total)]])}${credits}`
}

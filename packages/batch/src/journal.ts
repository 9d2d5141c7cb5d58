// Where each row's progress is recorded so a crash loses nothing and creates nothing twice. The
// rule every store follows: a row is `submitting` (durably) before its create is sent, and gets its
// `task_id` right after; a task id is bound to at most one row.
import { open, type FileHandle } from 'node:fs/promises'
import { dirname } from 'node:path'
import Database from 'better-sqlite3'
import type { BatchRequest } from './validate.js'

/**
 * - `pending`: read, not sent yet. `submitting`: the create may have been sent, outcome not recorded.
 * - `running`: the task exists (`task_id`). `completed` / `failed`: the task ended (or the row is invalid).
 * - `unknown`: a create may have reached GoAPI but no task could be matched to it; never resubmitted
 *   unless asked. `skipped`: not created because of the credit budget (a later run may create it).
 */
export type RowStatus = 'pending' | 'submitting' | 'running' | 'completed' | 'failed' | 'unknown' | 'skipped'

export const TERMINAL: ReadonlySet<RowStatus> = new Set(['completed', 'failed', 'unknown'])

/** A file saved for a row, relative to the output folder. */
export interface SavedFile {
  field: string
  path: string
  bytes: number
}

export interface RowState {
  row: number
  status: RowStatus
  request?: BatchRequest
  taskId?: string
  /** When the latest create was (about to be) sent, ms since the epoch. */
  submittedAt?: number
  /** Points the task froze or consumed. */
  credits?: number
  files?: SavedFile[]
  error?: string
  /** Creates sent for this row (more than one only after a create was proven not to have made a task). */
  attempts?: number
}

/** What the batch runner needs from a journal; SQLite here, Redis for distributed workers. */
export interface RowStore {
  get(row: number): RowState | undefined | Promise<RowState | undefined>
  /** Writes the row's whole state durably before resolving. */
  put(state: RowState): void | Promise<void>
  /**
   * Writes `next` only if the row is still as `expected` said (`undefined`: not journaled yet),
   * compared by {@link sameStep}; `false` when another process moved it first. Used for the step
   * to `submitting`, so two processes can never both send a row's create.
   */
  putIf(expected: RowState | undefined, next: RowState): boolean | Promise<boolean>
  /**
   * Resolves once everything written so far is on disk (not just out of the process). Called after
   * the step to `submitting` and before the create is sent. Optional: stores that are durable on
   * write need none.
   */
  flush?(): Promise<void>
  /** Binds `taskId` to `row`; `false` when it is already bound to another row. */
  claim(row: number, taskId: string): boolean | Promise<boolean>
  /** The row that owns `taskId`, if any (a row may own it while still `submitting`: a crash right after the claim). */
  ownerOf(taskId: string): number | undefined | Promise<number | undefined>
}

/** Whether two states of a row are the same step (status, attempt and task). */
export function sameStep(a: RowState | undefined, b: RowState | undefined): boolean {
  if (a === undefined || b === undefined) return a === b
  return a.status === b.status && (a.attempts ?? 0) === (b.attempts ?? 0) && a.taskId === b.taskId
}

export interface StatusCounts {
  total: number
  byStatus: Record<RowStatus, number>
  /** Points per model, over rows with a task. */
  creditsByModel: Record<string, number>
}

interface DbRow {
  row: number
  status: RowStatus
  request: string | null
  task_id: string | null
  submitted_at: number | null
  credits: number | null
  files: string | null
  error: string | null
  attempts: number
}

/**
 * The embedded journal: one SQLite file in WAL mode, one transaction per change. A commit is in
 * the WAL when a call returns, so a `kill -9` at any point loses nothing written. `flush()` makes
 * it survive a power cut too: it fsyncs the WAL off the main thread, shared by every row waiting
 * (group commit), and the runner awaits it before sending a create.
 */
/** Codes and messages of a native module that is missing or does not load (not of SQLite itself). */
const ADDON_LOAD_FAILURE = /Could not locate the bindings file|ERR_DLOPEN_FAILED|MODULE_NOT_FOUND|NODE_MODULE_VERSION/

/**
 * The journal cannot be opened because SQLite's native module (`better-sqlite3`) is not built for
 * this Node.js or does not load. The original error is the `cause`.
 */
export class JournalUnavailableError extends Error {
  override readonly name = 'JournalUnavailableError'
  constructor(cause: unknown) {
    super(
      "The batch journal needs SQLite's native module (better-sqlite3), which is not built here. In a clone of the SDK run `npx -y pnpm@12.4.2 run native` (it is not built at install there); from npm, reinstall @goapi/batch with install scripts enabled.",
      { cause },
    )
  }
}

export interface SqliteJournalOptions {
  /** Path of a `better_sqlite3.node` to load instead of the installed one (as better-sqlite3's own option). */
  nativeBinding?: string
}

function openDatabase(file: string, options: SqliteJournalOptions): Database.Database {
  try {
    return new Database(file, options.nativeBinding === undefined ? {} : { nativeBinding: options.nativeBinding })
  } catch (error) {
    const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown }
    if (ADDON_LOAD_FAILURE.test(`${String(code)} ${String(message)}`)) throw new JournalUnavailableError(error)
    throw error
  }
}

export class SqliteJournal implements RowStore {
  readonly db: Database.Database
  private readonly stmts
  private wal: Promise<FileHandle> | undefined
  private syncing: Promise<void> | undefined
  private queued: Promise<void> | undefined

  constructor(
    readonly file: string,
    options: SqliteJournalOptions = {},
  ) {
    this.db = openDatabase(file, options)
    this.db.pragma('journal_mode = WAL')
    // NORMAL in WAL mode: commits reach the WAL file (the OS) at once; SQLite syncs it before each
    // checkpoint, and flush() syncs it before any create is sent.
    this.db.pragma('synchronous = NORMAL')
    this.db.pragma('busy_timeout = 5000')
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS rows (
        row INTEGER PRIMARY KEY,
        status TEXT NOT NULL,
        request TEXT,
        model TEXT,
        task_id TEXT UNIQUE,
        submitted_at INTEGER,
        credits INTEGER,
        files TEXT,
        error TEXT,
        attempts INTEGER NOT NULL DEFAULT 0
      );
      CREATE INDEX IF NOT EXISTS rows_status ON rows (status);
      CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    `)
    this.stmts = {
      get: this.db.prepare<[number], DbRow>('SELECT * FROM rows WHERE row = ?'),
      put: this.db.prepare(
        `INSERT INTO rows (row, status, request, model, task_id, submitted_at, credits, files, error, attempts)
         VALUES (@row, @status, @request, @model, @task_id, @submitted_at, @credits, @files, @error, @attempts)
         ON CONFLICT (row) DO UPDATE SET status = excluded.status, request = excluded.request, model = excluded.model,
           task_id = excluded.task_id, submitted_at = excluded.submitted_at, credits = excluded.credits,
           files = excluded.files, error = excluded.error, attempts = excluded.attempts`,
      ),
      owner: this.db.prepare<[string], { row: number }>('SELECT row FROM rows WHERE task_id = ?'),
      bind: this.db.prepare<[string, number]>('UPDATE rows SET task_id = ? WHERE row = ?'),
      byStatus: this.db.prepare<[string], DbRow>('SELECT * FROM rows WHERE status = ? ORDER BY row'),
      all: this.db.prepare<[], DbRow>('SELECT * FROM rows ORDER BY row'),
      counts: this.db.prepare<[], { status: RowStatus; n: number }>(
        'SELECT status, count(*) AS n FROM rows GROUP BY status',
      ),
      credits: this.db.prepare<[], { model: string; points: number }>(
        'SELECT model, sum(credits) AS points FROM rows WHERE credits IS NOT NULL GROUP BY model ORDER BY model',
      ),
      getMeta: this.db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?'),
      setMeta: this.db.prepare(
        'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
      ),
    }
  }

  get(row: number): RowState | undefined {
    const r = this.stmts.get.get(row)
    return r && fromDb(r)
  }

  put(state: RowState): void {
    this.stmts.put.run({
      row: state.row,
      status: state.status,
      request: state.request === undefined ? null : JSON.stringify(state.request),
      model: state.request?.model ?? null,
      task_id: state.taskId ?? null,
      submitted_at: state.submittedAt ?? null,
      credits: state.credits ?? null,
      files: state.files === undefined ? null : JSON.stringify(state.files),
      error: state.error ?? null,
      attempts: state.attempts ?? 0,
    })
  }

  putIf(expected: RowState | undefined, next: RowState): boolean {
    return this.db
      .transaction(() => {
        if (!sameStep(this.get(next.row), expected)) return false
        this.put(next)
        return true
      })
      .immediate()
  }

  claim(row: number, taskId: string): boolean {
    return this.db
      .transaction(() => {
        const owner = this.stmts.owner.get(taskId)
        if (owner) return owner.row === row
        this.stmts.bind.run(taskId, row)
        return true
      })
      .immediate()
  }

  ownerOf(taskId: string): number | undefined {
    return this.stmts.owner.get(taskId)?.row
  }

  flush(): Promise<void> {
    // A sync already running may have started before the caller's write: queue one more after it.
    if (!this.syncing) return this.startSync()
    this.queued ??= this.syncing.then(() => {
      this.queued = undefined
      return this.startSync()
    })
    return this.queued
  }

  private startSync(): Promise<void> {
    this.wal ??= open(`${this.file}-wal`, 'r+').then(async (handle) => {
      // The WAL file is new: make its directory entry durable once.
      const dir = await open(dirname(this.file), 'r')
      await dir.sync().finally(() => dir.close())
      return handle
    })
    const run: Promise<void> = this.wal
      .then((handle) => handle.datasync())
      .finally(() => {
        if (this.syncing === run) this.syncing = undefined
      })
    this.syncing = run
    return run
  }

  /** Rows in one status, in row order (iterated from disk). */
  *withStatus(status: RowStatus): Generator<RowState> {
    for (const r of this.stmts.byStatus.iterate(status)) yield fromDb(r)
  }

  /** Every row, in row order (iterated from disk, not loaded whole). */
  *rows(): Generator<RowState> {
    for (const r of this.stmts.all.iterate()) yield fromDb(r)
  }

  counts(): StatusCounts {
    const byStatus: Record<RowStatus, number> = {
      pending: 0,
      submitting: 0,
      running: 0,
      completed: 0,
      failed: 0,
      unknown: 0,
      skipped: 0,
    }
    let total = 0
    for (const { status, n } of this.stmts.counts.all()) {
      byStatus[status] = n
      total += n
    }
    const creditsByModel: Record<string, number> = {}
    for (const { model, points } of this.stmts.credits.all()) creditsByModel[model] = points
    return { total, byStatus, creditsByModel }
  }

  getMeta(key: string): string | undefined {
    return this.stmts.getMeta.get(key)?.value
  }

  setMeta(key: string, value: string): void {
    this.stmts.setMeta.run(key, value)
  }

  close(): void {
    this.db.close()
    void this.wal?.then((h) => h.close()).catch(() => undefined)
  }
}

function fromDb(r: DbRow): RowState {
  return {
    row: r.row,
    status: r.status,
    ...(r.request !== null ? { request: JSON.parse(r.request) as BatchRequest } : {}),
    ...(r.task_id !== null ? { taskId: r.task_id } : {}),
    ...(r.submitted_at !== null ? { submittedAt: r.submitted_at } : {}),
    ...(r.credits !== null ? { credits: r.credits } : {}),
    ...(r.files !== null ? { files: JSON.parse(r.files) as SavedFile[] } : {}),
    ...(r.error !== null ? { error: r.error } : {}),
    attempts: r.attempts,
  }
}

/** A journal in memory: for `runBatch` without a journal (nothing survives the process). */
export class MemoryStore implements RowStore {
  private readonly rows = new Map<number, RowState>()
  private readonly owners = new Map<string, number>()
  get(row: number): RowState | undefined {
    const s = this.rows.get(row)
    return s && { ...s }
  }
  put(state: RowState): void {
    this.rows.set(state.row, { ...state })
    if (state.taskId !== undefined) this.owners.set(state.taskId, state.row)
  }
  putIf(expected: RowState | undefined, next: RowState): boolean {
    if (!sameStep(this.rows.get(next.row), expected)) return false
    this.put(next)
    return true
  }
  claim(row: number, taskId: string): boolean {
    const owner = this.owners.get(taskId)
    if (owner !== undefined) return owner === row
    this.owners.set(taskId, row)
    const s = this.rows.get(row)
    if (s) s.taskId = taskId
    return true
  }
  ownerOf(taskId: string): number | undefined {
    return this.owners.get(taskId)
  }
}

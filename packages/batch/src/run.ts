// The batch runner: every row goes pending → submitting (journaled) → create → running (task id
// journaled) → wait → completed | failed, under the concurrency gate and the credit budget. A row
// found `submitting` (a crash, a lost answer) is reconciled against the account's tasks first.
import {
  APIConnectionError,
  APIError,
  AbortError,
  InsufficientCreditsError,
  RateLimitError,
  TaskCreationUnknownError,
  TaskFailedError,
  getAccountInfo,
  type GoApiClient,
  type PollPolicy,
  type UntypedTask,
} from '@goapi/client'
import { ConcurrencyGate, CreditBudget, pairKey, sleep } from './control.js'
import type { BatchRow } from './input.js'
import { MemoryStore, TERMINAL, type RowState, type RowStatus, type RowStore, type SavedFile } from './journal.js'
import { reconcile, type ReconcileOutcome, type ReconcileTarget } from './reconcile.js'
import { RequestValidator, type BatchRequest } from './validate.js'

/** What a batch reports about one row when the row is done with (for this run). */
export interface BatchResult {
  row: number
  status: RowStatus
  model?: string
  taskId?: string
  credits?: number
  files?: SavedFile[]
  error?: string
}

export type BatchEvent =
  | { type: 'row'; row: number; status: RowStatus; model?: string; taskId?: string; credits?: number; error?: string }
  | { type: 'concurrency'; limit: number; reason: 'rate-limited' | 'recovered' | 'start' }
  | { type: 'budget'; row: number; needed: number; spent: number; max: number }

export interface BatchOptions {
  /** Most tasks at once. Default: the account's `max_concurrent_task_count`, else 10. */
  concurrency?: number
  /** Where progress is recorded (`SqliteJournal` survives crashes). Default: in memory. */
  journal?: RowStore
  /** Stops creating and waiting; rows in flight stay journaled for a resume. */
  signal?: AbortSignal
  onEvent?: (event: BatchEvent) => void
  /** Budget in points (GoAPI's `usage` unit): no create that could exceed it is sent. */
  maxCredits?: number
  /** Points already spent by earlier runs of this batch (counted against `maxCredits`). */
  spentCredits?: number
  /** Create rows found `unknown` again (may pay twice). Default false. */
  resubmitUnknown?: boolean
  /** Saves a completed task's files for a row; returns them relative to the output folder. */
  download?: (task: UntypedTask, row: number, signal?: AbortSignal) => Promise<SavedFile[]>
  /** Validates rows before anything is sent; `false` skips validation (untyped models). */
  validator?: RequestValidator | false
  /** How long after a create was sent it can still turn into a task; reconciliation waits this long. Default 60 000. */
  reconcileAfterMs?: number
  /** Polling pace of the task waits. */
  poll?: Partial<PollPolicy>
  /** Per-request timeout of creates and polls (ms). Default: the client's. */
  requestTimeoutMs?: number
  /** Rows in flight at once (read ahead, reconciling, waiting). Default `concurrency * 2 + 16`. */
  maxInFlight?: number
}

const now = () => Date.now()
const message = (error: unknown) => (error instanceof Error ? error.message : String(error))

/** Coalesces reconciliation requests into one scan of the account's tasks once each has settled. */
export class Reconciler {
  private readonly queue: Array<{ target: ReconcileTarget; resolve: (o: ReconcileOutcome) => void }> = []
  private running = false

  constructor(
    private readonly client: GoApiClient,
    private readonly store: RowStore,
    private readonly settleMs: number,
    private readonly signal?: AbortSignal,
  ) {}

  request(target: ReconcileTarget): Promise<ReconcileOutcome> {
    return new Promise((resolve) => {
      this.queue.push({ target, resolve })
      if (!this.running) void this.loop()
    })
  }

  private async loop(): Promise<void> {
    this.running = true
    try {
      while (this.queue.length > 0) {
        const due = Math.min(...this.queue.map((q) => q.target.submittedAt + this.settleMs))
        if (due > now()) {
          await sleep(due - now(), this.signal).catch(() => undefined)
          if (this.signal?.aborted) {
            for (const q of this.queue.splice(0)) q.resolve({ kind: 'unknown', reason: 'aborted' })
            return
          }
          continue
        }
        const ready = this.queue.filter((q) => q.target.submittedAt + this.settleMs <= now())
        for (const q of ready) this.queue.splice(this.queue.indexOf(q), 1)
        const outcomes = await reconcile(
          this.client,
          ready.map((q) => q.target),
          {
            ownerOf: (id) => this.store.ownerOf(id),
            claim: (row, id) => this.store.claim(row, id),
            settleMs: this.settleMs,
            ...(this.signal ? { signal: this.signal } : {}),
          },
        ).catch((error: unknown) => {
          // The journal itself failed: nothing is decided, so nothing is created.
          const reason = `reconciliation failed: ${message(error)}`
          return new Map(ready.map((q) => [q.target.row, { kind: 'unknown', reason } as ReconcileOutcome]))
        })
        for (const q of ready) q.resolve(outcomes.get(q.target.row) ?? { kind: 'unknown', reason: 'not reconciled' })
      }
    } finally {
      this.running = false
    }
  }
}

/** Everything rows share while a batch runs (one per runner or per worker process). */
export interface RowContext {
  /** Per (model, task type), the shortest time a task took to be seen done, ms (first polls wait about that long). */
  durations: Map<string, number>
  client: GoApiClient
  store: RowStore
  gate: ConcurrencyGate
  budget: CreditBudget
  reconciler: Reconciler
  validator: RequestValidator | undefined
  options: BatchOptions
}

export function createContext(client: GoApiClient, store: RowStore, limit: number, options: BatchOptions): RowContext {
  const gate = new ConcurrencyGate(limit, (l, reason) => options.onEvent?.({ type: 'concurrency', limit: l, reason }))
  return {
    durations: new Map(),
    client,
    store,
    gate,
    budget: new CreditBudget(options.maxCredits, options.spentCredits ?? 0),
    reconciler: new Reconciler(client, store, options.reconcileAfterMs ?? 60_000, options.signal),
    validator: options.validator === false ? undefined : (options.validator ?? new RequestValidator()),
    options,
  }
}

/** The starting concurrency: the option, else the account's limit, else 10. */
export async function startingConcurrency(client: GoApiClient, options: BatchOptions): Promise<number> {
  if (options.concurrency !== undefined) return Math.max(1, Math.floor(options.concurrency))
  try {
    const info = await getAccountInfo(client, { signal: options.signal })
    const n = info.max_concurrent_task_count
    if (typeof n === 'number' && Number.isInteger(n) && n > 0) return n
  } catch {
    // An account route that fails is no reason not to run: fall back to the default.
  }
  return 10
}

const frozenOf = (task: UntypedTask): number => {
  const usage = task.meta?.usage as { frozen?: unknown; consume?: unknown } | undefined
  const value = Number(usage?.consume || usage?.frozen || 0)
  return Number.isFinite(value) && value > 0 ? value : 0
}

/**
 * The poll policy for a task of `pair`: the given one, with the first check pushed to 90 % of the
 * shortest duration seen for the pair (same-model tasks take similar times), so a batch of
 * thousands does not poll each task many times before it can possibly be done.
 */
function pollFor(ctx: RowContext, pair: string): Partial<PollPolicy> {
  const base = ctx.options.poll ?? {}
  const shortest = ctx.durations.get(pair)
  if (shortest === undefined) return base
  return { ...base, initialDelayMs: Math.max(base.initialDelayMs ?? 0, Math.floor(shortest * 0.9)) }
}

function learnDuration(ctx: RowContext, pair: string, ms: number): void {
  const known = ctx.durations.get(pair)
  if (known === undefined || ms < known) ctx.durations.set(pair, ms)
}

/**
 * Takes one row to the end of what this run can do for it and returns its state. Safe to call
 * again for the same row after a crash at any point: it never sends a second create for a row whose
 * first create may have made a task.
 */
export async function executeRow(ctx: RowContext, input: BatchRow): Promise<RowState> {
  const { store, options } = ctx
  const emit = (s: RowState) =>
    options.onEvent?.({
      type: 'row',
      row: s.row,
      status: s.status,
      ...(s.request ? { model: s.request.model } : {}),
      ...(s.taskId ? { taskId: s.taskId } : {}),
      ...(s.credits !== undefined ? { credits: s.credits } : {}),
      ...(s.error ? { error: s.error } : {}),
    })
  const save = async (s: RowState) => {
    await store.put(s)
    journaled = s
    emit(s)
    return s
  }
  let state = await store.get(input.row)
  /** The row as the journal holds it (undefined: not journaled yet), for the compare-and-set. */
  let journaled = state
  if (!state) {
    if ('error' in input) return save({ row: input.row, status: 'failed', error: `invalid row: ${input.error}` })
    const problems = ctx.validator?.check(input.request) ?? []
    if (problems.length > 0)
      return save({
        row: input.row,
        status: 'failed',
        request: input.request,
        error: `invalid row: ${problems.join('; ')}`,
      })
    state = { row: input.row, status: 'pending', request: input.request, attempts: 0 }
  }
  if (state.status === 'unknown' && options.resubmitUnknown) state = { ...state, status: 'pending' }
  let held = false
  const release = () => {
    if (held) ctx.gate.release()
    held = false
  }
  try {
    for (;;) {
      if (TERMINAL.has(state.status)) return state
      const request = state.request as BatchRequest
      const pair = pairKey(request.model, request.task_type)
      if (state.status === 'submitting') {
        const outcome = await ctx.reconciler.request({
          row: state.row,
          request,
          submittedAt: state.submittedAt ?? 0,
        })
        if (options.signal?.aborted) return state
        if (outcome.kind === 'found') {
          const credits = frozenOf(outcome.task)
          ctx.budget.charged(pair, 0, credits)
          state = await save({ ...state, status: 'running', taskId: outcome.task.task_id, credits })
        } else if (outcome.kind === 'absent') {
          // Proven never created: back to pending, unless another process moved the row meanwhile.
          const next: RowState = { ...state, status: 'pending', error: undefined }
          if (await store.putIf(journaled, next)) {
            state = journaled = next
            emit(state)
          } else {
            const current = await store.get(state.row)
            if (!current) throw new Error(`row ${state.row} vanished from the journal`)
            state = journaled = current
          }
        } else {
          return await save({ ...state, status: 'unknown', error: outcome.reason })
        }
        continue
      }
      if (state.status === 'pending' || state.status === 'skipped') {
        if (ctx.budget.exhausted)
          return await save({ ...state, status: 'skipped', error: 'the account is out of credits' })
        const reservation = ctx.budget.reserve(pair)
        if (reservation.kind === 'wait') {
          await reservation.until
          continue
        }
        if (reservation.kind === 'over') {
          options.onEvent?.({
            type: 'budget',
            row: state.row,
            needed: reservation.needed,
            spent: ctx.budget.spent,
            max: ctx.budget.max ?? 0,
          })
          return await save({
            ...state,
            status: 'skipped',
            error: `--max-credits: the next task (${reservation.needed} points) could exceed the budget`,
          })
        }
        try {
          await ctx.gate.acquire(options.signal)
        } catch (error) {
          ctx.budget.released(pair, reservation.amount)
          throw error
        }
        held = true
        // The rule: the row is durably `submitting` before the create can reach GoAPI, and only
        // if no other process took this step first (a stalled job handed on while still running).
        const next: RowState = {
          ...state,
          status: 'submitting',
          submittedAt: now(),
          attempts: (state.attempts ?? 0) + 1,
          error: undefined,
        }
        if (!(await store.putIf(journaled, next))) {
          release()
          ctx.budget.released(pair, reservation.amount)
          const current = await store.get(state.row)
          if (!current) throw new Error(`row ${state.row} vanished from the journal`)
          state = journaled = current
          continue
        }
        state = journaled = next
        await store.flush?.()
        emit(state)
        let task: UntypedTask
        try {
          task = await ctx.client.createUntypedTask(request, {
            maxRetries: 0,
            ...(options.signal ? { signal: options.signal } : {}),
            ...(options.requestTimeoutMs ? { timeoutMs: options.requestTimeoutMs } : {}),
          })
        } catch (error) {
          release()
          if (error instanceof TaskCreationUnknownError || error instanceof AbortError) {
            // The task may exist: stay `submitting`; the reconciler decides (or the next run does).
            ctx.budget.released(pair, reservation.amount)
            if (error instanceof AbortError) return state
            emit({ ...state, error: message(error) })
            continue
          }
          ctx.budget.released(pair, reservation.amount)
          if (error instanceof RateLimitError) {
            ctx.gate.limited(error.retryAfterMs)
            state = await save({ ...state, status: 'pending' })
            continue
          }
          if (error instanceof APIConnectionError && !error.mayHaveReachedServer) {
            state = await save({ ...state, status: 'pending' })
            await sleep(1_000, options.signal)
            continue
          }
          if (error instanceof InsufficientCreditsError) {
            ctx.budget.exhausted = true
            return await save({
              ...state,
              status: 'skipped',
              error: `the account is out of credits: ${message(error)}`,
            })
          }
          if (error instanceof APIError) return await save({ ...state, status: 'failed', error: message(error) })
          throw error
        }
        if (!(await store.claim(state.row, task.task_id))) {
          // Another row owns this id: GoAPI answered with a task that is not ours to record.
          return await save({
            ...state,
            status: 'unknown',
            error: `GoAPI answered with task ${task.task_id}, which another row already owns`,
          })
        }
        const credits = frozenOf(task)
        ctx.budget.charged(pair, reservation.amount, credits)
        ctx.gate.accepted()
        state = await save({ ...state, status: 'running', taskId: task.task_id, credits })
        continue
      }
      // running: the task exists; it holds one of the account's slots until it ends.
      if (!held) {
        await ctx.gate.acquire(options.signal)
        held = true
      }
      const taskId = state.taskId as string
      let done: UntypedTask
      try {
        const since = now()
        done = await ctx.client.wait(taskId, {
          ...(options.signal ? { signal: options.signal } : {}),
          poll: pollFor(ctx, pair),
        })
        learnDuration(ctx, pair, now() - since)
      } catch (error) {
        if (error instanceof TaskFailedError) {
          ctx.budget.released(pair, state.credits ?? 0)
          return await save({ ...state, status: 'failed', credits: 0, error: message(error) })
        }
        if (options.signal?.aborted) return state
        emit({ ...state, error: message(error) })
        return state
      }
      release()
      const credits = frozenOf(done) || state.credits || 0
      let files: SavedFile[] = []
      try {
        if (options.download) files = await options.download(done, state.row, options.signal)
      } catch (error) {
        // The task is done and paid for; only its files are missing: a resume downloads them again.
        return await save({ ...state, credits, error: `files not saved: ${message(error)}` })
      }
      return await save({ ...state, status: 'completed', credits, files, error: undefined })
    }
  } finally {
    release()
  }
}

/**
 * Runs a batch: yields each row's result as it is done with. With a `SqliteJournal`, running the
 * same rows again after a crash resumes: rows done are reported, rows in flight are reconciled,
 * and no row gets a second task.
 */
export function runBatch(
  client: GoApiClient,
  rows: AsyncIterable<BatchRow> | Iterable<BatchRow>,
  options: BatchOptions = {},
): AsyncIterable<BatchResult> {
  return {
    async *[Symbol.asyncIterator]() {
      const store = options.journal ?? new MemoryStore()
      const limit = await startingConcurrency(client, options)
      options.onEvent?.({ type: 'concurrency', limit, reason: 'start' })
      const ctx = createContext(client, store, limit, options)
      const maxInFlight = options.maxInFlight ?? limit * 2 + 16
      const results: BatchResult[] = []
      const box: { failure?: { error: unknown } } = {}
      let wake: (() => void) | undefined
      const notify = () => {
        wake?.()
        wake = undefined
      }
      let inFlight = 0
      let reading = true
      let slotFree: (() => void) | undefined
      const driver = (async () => {
        try {
          for await (const row of rows) {
            if (options.signal?.aborted || box.failure) break
            while (inFlight >= maxInFlight) await new Promise<void>((r) => (slotFree = r))
            inFlight++
            void executeRow(ctx, row)
              .then((s) => results.push(resultOf(s)))
              .catch((error: unknown) => {
                box.failure ??= { error }
              })
              .finally(() => {
                inFlight--
                slotFree?.()
                slotFree = undefined
                notify()
              })
          }
        } catch (error) {
          box.failure ??= { error }
        } finally {
          reading = false
          notify()
        }
      })()
      for (;;) {
        while (results.length > 0) yield results.shift() as BatchResult
        if (box.failure) throw box.failure.error
        if (!reading && inFlight === 0) break
        await new Promise<void>((r) => (wake = r))
      }
      await driver
      const late = box.failure as { error: unknown } | undefined
      if (late) throw late.error
    },
  }
}

function resultOf(s: RowState): BatchResult {
  return {
    row: s.row,
    status: s.status,
    ...(s.request ? { model: s.request.model } : {}),
    ...(s.taskId ? { taskId: s.taskId } : {}),
    ...(s.credits !== undefined ? { credits: s.credits } : {}),
    ...(s.files ? { files: s.files } : {}),
    ...(s.error ? { error: s.error } : {}),
  }
}

export { runBatch, executeRow, createContext, startingConcurrency, Reconciler } from './run.js'
export type { BatchOptions, BatchResult, BatchEvent, RowContext } from './run.js'
export { readRows, parseJsonLine, InputError } from './input.js'
export type { BatchRow, CsvTemplate, ReadRowsOptions } from './input.js'
export { RequestValidator } from './validate.js'
export type { BatchRequest, CatalogEntry } from './validate.js'
export { SqliteJournal, JournalUnavailableError, MemoryStore, TERMINAL } from './journal.js'
export type { SqliteJournalOptions, RowStatus, RowState, RowStore, SavedFile, StatusCounts } from './journal.js'
export { reconcile, contains } from './reconcile.js'
export type { ReconcileTarget, ReconcileOutcome, ReconcileOptions } from './reconcile.js'
export { ConcurrencyGate, CreditBudget } from './control.js'
export {
  openJournal,
  writeResults,
  rowDownloader,
  allCompleted,
  DownloadFailedError,
  JOURNAL_FILE,
  RESULTS_FILE,
} from './output.js'
export type { RowDownloadOptions } from './output.js'
export { enqueueRows, startWorker, RedisStore, BatchProgress, DEFAULT_QUEUE } from './queue.js'
export type { QueueTarget, WorkerOptions } from './queue.js'

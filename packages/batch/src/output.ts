// The output folder of a batch: `journal.sqlite` (the journal), `results.jsonl` (one line per row,
// rewritten atomically from the journal), and `files/<row>/` for downloads (named by row number,
// never by anything a server said).
import { createWriteStream } from 'node:fs'
import { mkdir, rename } from 'node:fs/promises'
import { join } from 'node:path'
import { once } from 'node:events'
import { SqliteJournal, type StatusCounts } from './journal.js'

export const JOURNAL_FILE = 'journal.sqlite'
export const RESULTS_FILE = 'results.jsonl'

/** Opens (or creates) the journal of the batch in `dir`. */
export async function openJournal(dir: string): Promise<SqliteJournal> {
  await mkdir(dir, { recursive: true })
  return new SqliteJournal(join(dir, JOURNAL_FILE))
}

/** The folder a row's files go to: `<dir>/files/<row>`. */
export function rowDir(dir: string, row: number): string {
  if (!Number.isSafeInteger(row) || row < 0) throw new Error(`invalid row number ${row}`)
  return join(dir, 'files', String(row))
}

/** Writes `results.jsonl` from the journal, row by row, then renames it into place. */
export async function writeResults(journal: SqliteJournal, dir: string): Promise<void> {
  const file = join(dir, RESULTS_FILE)
  const tmp = `${file}.${process.pid}.tmp`
  const out = createWriteStream(tmp, { encoding: 'utf8' })
  for (const s of journal.rows()) {
    const line = JSON.stringify({
      row: s.row,
      status: s.status,
      model: s.request?.model ?? null,
      task_type: s.request?.task_type ?? null,
      task_id: s.taskId ?? null,
      credits: s.credits ?? null,
      files: s.files ?? [],
      ...(s.error ? { error: s.error } : {}),
    })
    if (!out.write(`${line}\n`)) await once(out, 'drain')
  }
  out.end()
  await once(out, 'finish')
  await rename(tmp, file)
}

/** Whether every row of the batch is completed. */
export function allCompleted(counts: StatusCounts): boolean {
  return counts.total > 0 && counts.byStatus.completed === counts.total
}

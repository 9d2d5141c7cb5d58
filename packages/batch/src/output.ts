// The output folder of a batch: `journal.sqlite` (the journal), `results.jsonl` (one line per row,
// rewritten atomically from the journal), and `files/<row>/` for downloads (named by row number,
// never by anything a server said).
import { createWriteStream } from 'node:fs'
import { mkdir, rename } from 'node:fs/promises'
import { join, relative } from 'node:path'
import type { UntypedTask } from '@goapi/client'
import { downloadFiles, outputDir, outputFiles } from '@goapi/client/node'
import { once } from 'node:events'
import { SqliteJournal, type SavedFile, type StatusCounts } from './journal.js'

export const JOURNAL_FILE = 'journal.sqlite'
export const RESULTS_FILE = 'results.jsonl'

/** Opens (or creates) the journal of the batch in `dir`. */
export async function openJournal(dir: string): Promise<SqliteJournal> {
  await mkdir(dir, { recursive: true })
  return new SqliteJournal(join(dir, JOURNAL_FILE))
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

export interface RowDownloadOptions {
  /** Largest file accepted, in bytes (default: the downloader's 2 GiB). */
  maxBytes?: number
  /** Allow file URLs on loopback/private addresses (the simulator). Default false. */
  allowPrivateHosts?: boolean
}

/**
 * A `download` for `runBatch`: saves every file of a completed task into `<dir>/files/<row>/` with
 * the safe downloader of `@goapi/client/node` (size caps, timeouts, no private hosts, no key sent,
 * names from the output field, never from the server). A file that fails becomes an error on the row.
 */
export function rowDownloader(dir: string, options: RowDownloadOptions = {}) {
  return async (task: UntypedTask, row: number, signal?: AbortSignal): Promise<SavedFile[]> => {
    const files = outputFiles(task.output)
    if (files.length === 0) return []
    const folder = await outputDir(join(dir, 'files'), String(row))
    const results = await downloadFiles(files, {
      dir: folder,
      overwrite: true,
      allowPrivateHosts: options.allowPrivateHosts ?? false,
      ...(options.maxBytes !== undefined ? { maxBytes: options.maxBytes } : {}),
      ...(signal ? { signal } : {}),
    })
    const failed = results.filter((r) => !r.ok)
    if (failed.length > 0)
      throw new DownloadFailedError(
        `${failed.length} of ${results.length} files not saved: ${failed.map((f) => (f.ok ? '' : `${f.field}: ${f.error.reason}`)).join(', ')}`,
      )
    return results.flatMap((r) => (r.ok ? [{ field: r.field, path: relative(dir, r.path), bytes: r.bytes }] : []))
  }
}

/** Some files of a completed task could not be saved (the row stays `running`; a resume tries again). */
export class DownloadFailedError extends Error {
  override name = 'DownloadFailedError'
}

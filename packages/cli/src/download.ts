// Saving a finished task's files with @goapi/client/node: the task's folder is named by a
// sanitised task id inside the output root, and each file reports on its own.
import { relative } from 'node:path'
import type { UntypedTask } from '@goapi/client'
import { DownloadError, downloadFiles, outputDir, outputFiles, type FileResult } from '@goapi/client/node'
import { CliError, EXIT } from './errors.js'
import { show } from './output.js'

/** The download flags of `run` and `task wait`, as commander parses them. */
export interface DownloadFlags {
  out?: string
  overwrite?: boolean
  maxFileSize?: string
  downloadTimeout?: string
  downloadIdleTimeout?: string
  allowPrivateDownloads?: boolean
}

export const DEFAULT_OUT_ROOT = 'goapi-output'

export interface DownloadSettings {
  maxBytes: number | undefined
  deadlineMs: number | undefined
  idleTimeoutMs: number | undefined
  overwrite: boolean
  allowPrivateHosts: boolean
}

const UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1e3,
  kb: 1e3,
  m: 1e6,
  mb: 1e6,
  g: 1e9,
  gb: 1e9,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
}

/** `--max-file-size`: bytes, or a number with kB/MB/GB (powers of 1000) or KiB/MiB/GiB (of 1024). */
export function parseSize(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text)
  const unit = m ? UNITS[(m[2] ?? '').toLowerCase()] : undefined
  const bytes = m && unit ? Math.floor(Number(m[1]) * unit) : NaN
  if (!Number.isFinite(bytes) || bytes < 1)
    throw new CliError(`--max-file-size must be a size like 500MB or 2GiB, got "${text}"`, EXIT.usage)
  return bytes
}

function parseSeconds(text: string, flag: string): number {
  const seconds = Number(text)
  if (!Number.isFinite(seconds) || seconds <= 0)
    throw new CliError(`${flag} must be a number of seconds above 0, got "${text}"`, EXIT.usage)
  return Math.round(seconds * 1000)
}

/** The download settings from the flags; private addresses are allowed when the flag or `privateBase` (an API on loopback/private, the simulator) says so. */
export function downloadSettings(flags: DownloadFlags, privateBase: boolean): DownloadSettings {
  return {
    maxBytes: flags.maxFileSize === undefined ? undefined : parseSize(flags.maxFileSize),
    deadlineMs:
      flags.downloadTimeout === undefined ? undefined : parseSeconds(flags.downloadTimeout, '--download-timeout'),
    idleTimeoutMs:
      flags.downloadIdleTimeout === undefined
        ? undefined
        : parseSeconds(flags.downloadIdleTimeout, '--download-idle-timeout'),
    overwrite: flags.overwrite ?? false,
    allowPrivateHosts: (flags.allowPrivateDownloads ?? false) || privateBase,
  }
}

export interface Saved {
  /** Files saved, each with its path. */
  saved: Array<Extract<FileResult, { ok: true }>>
  /** Files that failed, each with its error. */
  failed: Array<Extract<FileResult, { ok: false }>>
}

/**
 * Downloads every file of `task` into `out` (when given, used as is) or `<root>/<task id>`
 * (the id made one safe folder name inside `root`). Never throws for a file.
 */
export async function saveTaskFiles(
  task: UntypedTask,
  options: { out?: string | undefined; root?: string | undefined; settings: DownloadSettings; signal?: AbortSignal },
): Promise<Saved> {
  const files = outputFiles(task.output)
  if (files.length === 0) return { saved: [], failed: [] }
  let dir: string
  try {
    dir = options.out ?? (await outputDir(options.root ?? DEFAULT_OUT_ROOT, task.task_id))
  } catch (error) {
    const failure =
      error instanceof DownloadError
        ? error
        : new DownloadError('unsafe_path', `Cannot create the output folder: ${String(error)}`, { cause: error })
    return { saved: [], failed: files.map((f) => ({ ok: false, field: f.field, url: f.url, error: failure })) }
  }
  const { settings } = options
  const results = await downloadFiles(files, {
    dir,
    overwrite: settings.overwrite,
    allowPrivateHosts: settings.allowPrivateHosts,
    ...(settings.maxBytes !== undefined ? { maxBytes: settings.maxBytes } : {}),
    ...(settings.deadlineMs !== undefined ? { deadlineMs: settings.deadlineMs } : {}),
    ...(settings.idleTimeoutMs !== undefined ? { idleTimeoutMs: settings.idleTimeoutMs } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  })
  return {
    saved: results.filter((r): r is Extract<FileResult, { ok: true }> => r.ok),
    failed: results.filter((r): r is Extract<FileResult, { ok: false }> => !r.ok),
  }
}

/** One line per failed file: `field: reason: message`. */
export function failureLines(failed: Saved['failed']): string[] {
  return failed.map((f) => `Not saved ${show(f.field)}: ${f.error.reason}: ${show(f.error.message)}`)
}

/** A saved file's path for a summary: relative to the working folder when below it. */
export function shownPath(path: string): string {
  const rel = relative(process.cwd(), path)
  return show(rel && !rel.startsWith('..') ? rel : path)
}

// Waiting for one task with progress, saving its files and printing the summary (run and task wait).
import { TaskFailedError, type TaskKind, type UntypedTask } from '@goapi/client'
import { outputFiles } from '@goapi/client/node'
import type { Backend } from '../backend.js'
import { failureLines, saveTaskFiles, shownPath, type DownloadSettings, type Saved } from '../download.js'
import { EXIT } from '../errors.js'
import { creditsUsed, duration, points } from '../format.js'
import { settleInterrupt, type Interrupt } from '../interrupt.js'
import { jsonText, show } from '../output.js'
import { statusText, type Progress } from '../progress.js'

export interface FollowOptions {
  /** Save the files here; default `./goapi-output/<task id>/`. */
  out?: string
  download: boolean
  json: boolean
  kind?: TaskKind
  settings: DownloadSettings
}

/** Waits for the task. `interrupt` is set up by the caller before the task id is shown, so no Ctrl-C is missed. */
export async function follow(
  backend: Backend,
  task: UntypedTask | string,
  started: number,
  options: FollowOptions,
  progress: Progress,
  interrupt: Interrupt,
): Promise<number> {
  const taskId = typeof task === 'string' ? task : task.task_id
  let halted: string[] = []
  const { halt } = backend
  if (halt) interrupt.first.push(() => (halted = halt([taskId])))
  let done: UntypedTask
  try {
    progress.set(`task ${show(taskId)} ${typeof task === 'string' ? 'checking' : statusText(task)}`)
    done = await backend.client.wait(task, {
      signal: interrupt.signal,
      ...(options.kind ? { kind: options.kind } : {}),
      ...(backend.poll ? { poll: backend.poll } : {}),
      onProgress: (t) => progress.set(`task ${show(t.task_id)} ${statusText(t)}`),
    })
  } catch (error) {
    progress.stop()
    if (interrupt.interrupted)
      return settleInterrupt(
        backend.client,
        [taskId],
        backend.offline,
        (line) => process.stderr.write(`${line}\n`),
        halted,
      )
    if (error instanceof TaskFailedError) {
      process.stderr.write(
        `goapi: ${show(error.message)}${error.rawMessage && error.rawMessage !== error.apiMessage ? ` (${show(error.rawMessage)})` : ''}\n`,
      )
      if (options.json) process.stdout.write(`${jsonText(error.task)}\n`)
      return EXIT.failure
    }
    throw error
  } finally {
    interrupt.dispose()
  }
  let files: Saved = { saved: [], failed: [] }
  if (options.download) {
    const count = outputFiles(done.output).length
    if (count > 0) progress.set(`task ${show(taskId)} downloading ${count} file${count === 1 ? '' : 's'}`)
    // A new Ctrl-C handler: the wait's was disposed above; this one aborts the downloads.
    const downloads = new AbortController()
    const stop = () => downloads.abort()
    process.once('SIGINT', stop)
    try {
      files = await saveTaskFiles(done, { out: options.out, settings: options.settings, signal: downloads.signal })
    } finally {
      process.off('SIGINT', stop)
      progress.stop()
    }
    if (downloads.signal.aborted) {
      process.stderr.write('Interrupted: downloads stopped (partial files removed).\n')
      return EXIT.interrupted
    }
    for (const line of failureLines(files.failed)) process.stderr.write(`goapi: ${line}\n`)
  } else progress.stop()
  const elapsed = Date.now() - started
  // --json: the task as the API answered it, plus where its files were saved.
  if (options.json) process.stdout.write(`${jsonText({ ...done, saved_files: savedFiles(files.saved) })}\n`)
  else process.stdout.write(`${summary(done, elapsed, files.saved)}\n`)
  return files.failed.length > 0 ? EXIT.failure : EXIT.ok
}

export function summary(task: UntypedTask, elapsedMs: number, files: Saved['saved']): string {
  const credits = creditsUsed(task)
  const lines = [
    `Task     ${show(task.task_id)} (${show(task.model)} ${show(task.task_type)}) ${show(task.status)}`,
    `Time     ${duration(elapsedMs)}`,
    `Credits  ${credits === undefined ? 'not reported' : points(credits)}`,
  ]
  if (files.length === 0) lines.push('Files    none')
  files.forEach((f, i) =>
    lines.push(`${i === 0 ? 'Files    ' : '         '}${shownPath(f.path)} (${sizeText(f.bytes)})`),
  )
  return lines.join('\n')
}

/** The saved files for JSON output: field, absolute path and size. */
export function savedFiles(saved: Saved['saved']): Array<{ field: string; path: string; bytes: number }> {
  return saved.map((f) => ({ field: f.field, path: f.path, bytes: f.bytes }))
}

export function sizeText(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} kB`
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`
}

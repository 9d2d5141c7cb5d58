// Waiting for one task with progress, saving its files and printing the summary (run and task wait).
import { join, relative } from 'node:path'
import { TaskFailedError, type TaskKind, type UntypedTask } from '@goapi/client'
import type { Backend } from '../backend.js'
import { downloadAll, outputUrls, type SavedFile } from '../download.js'
import { EXIT } from '../errors.js'
import { creditsUsed, duration } from '../format.js'
import { settleInterrupt, type Interrupt } from '../interrupt.js'
import { statusText, type Progress } from '../progress.js'

export interface FollowOptions {
  out?: string
  download: boolean
  json: boolean
  kind?: TaskKind
}

export const defaultOutDir = (taskId: string) => join('goapi-output', taskId)

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
  let done: UntypedTask
  try {
    progress.set(`task ${taskId} ${typeof task === 'string' ? 'checking' : statusText(task)}`)
    done = await backend.client.wait(task, {
      signal: interrupt.signal,
      ...(options.kind ? { kind: options.kind } : {}),
      ...(backend.poll ? { poll: backend.poll } : {}),
      onProgress: (t) => progress.set(`task ${t.task_id} ${statusText(t)}`),
    })
  } catch (error) {
    progress.stop()
    if (interrupt.interrupted)
      return settleInterrupt(backend.client, [taskId], backend.offline, (line) => process.stderr.write(`${line}\n`))
    if (error instanceof TaskFailedError) {
      process.stderr.write(
        `goapi: ${error.message}${error.rawMessage && error.rawMessage !== error.apiMessage ? ` (${error.rawMessage})` : ''}\n`,
      )
      if (options.json) process.stdout.write(`${JSON.stringify(error.task, null, 2)}\n`)
      return EXIT.failure
    }
    throw error
  } finally {
    interrupt.dispose()
  }
  let files: SavedFile[] = []
  if (options.download) {
    const urls = outputUrls(done.output)
    if (urls.length > 0) progress.set(`task ${taskId} downloading ${urls.length} file${urls.length === 1 ? '' : 's'}`)
    try {
      files = await downloadAll(urls, options.out ?? defaultOutDir(taskId))
    } finally {
      progress.stop()
    }
  } else progress.stop()
  const elapsed = Date.now() - started
  if (options.json) process.stdout.write(`${JSON.stringify(done, null, 2)}\n`)
  else process.stdout.write(`${summary(done, elapsed, files)}\n`)
  return EXIT.ok
}

export function summary(task: UntypedTask, elapsedMs: number, files: SavedFile[]): string {
  const credits = creditsUsed(task)
  const lines = [
    `Task     ${task.task_id} (${task.model} ${task.task_type}) ${task.status}`,
    `Time     ${duration(elapsedMs)}`,
    `Credits  ${credits ?? 'not reported'}`,
  ]
  if (files.length === 0) lines.push('Files    none')
  files.forEach((f, i) =>
    lines.push(
      `${i === 0 ? 'Files    ' : '         '}${relative(process.cwd(), f.path) || f.path} (${sizeText(f.bytes)})`,
    ),
  )
  return lines.join('\n')
}

export function sizeText(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} kB`
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`
}

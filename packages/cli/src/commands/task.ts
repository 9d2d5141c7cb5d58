// goapi task get|wait|cancel <id> and goapi tasks cancel --before --model.
import type { CancelTasksModel, UntypedTask } from '@goapi/client'
import { connect, type GlobalOptions } from '../backend.js'
import { outputFiles } from '@goapi/client/node'
import { downloadSettings, type DownloadFlags } from '../download.js'
import { CliError, EXIT } from '../errors.js'
import { creditsUsed, points } from '../format.js'
import { Interrupt } from '../interrupt.js'
import { jsonText, show } from '../output.js'
import { createProgress } from '../progress.js'
import { follow } from './follow.js'

const log = (line: string) => process.stderr.write(`${line}\n`)

export async function taskGet(id: string, options: { json: boolean }, globals: GlobalOptions): Promise<number> {
  const backend = await connect(globals, log)
  try {
    const task = await backend.client.getTask(id)
    process.stdout.write(options.json ? `${jsonText(task)}\n` : `${describe(task)}\n`)
    return EXIT.ok
  } finally {
    await backend.close()
  }
}

function describe(task: UntypedTask): string {
  const lines = [
    `Task     ${show(task.task_id)}`,
    `Model    ${show(task.model)} ${show(task.task_type)}`,
    `Status   ${show(task.status)}`,
  ]
  const meta = task.meta as { created_at?: string; ended_at?: string } | undefined
  if (meta?.created_at) lines.push(`Created  ${show(meta.created_at)}`)
  const credits = creditsUsed(task)
  if (credits !== undefined) lines.push(`Credits  ${points(credits)}`)
  const message = task.error?.message || task.error?.raw_message
  if (message) lines.push(`Error    ${show(message)}`)
  outputFiles(task.output).forEach((f, i) =>
    lines.push(`${i === 0 ? 'Output   ' : '         '}${show(f.field)}: ${show(f.url)}`),
  )
  return lines.join('\n')
}

export async function taskWait(
  id: string,
  options: { json: boolean; download: boolean } & DownloadFlags,
  globals: GlobalOptions,
): Promise<number> {
  downloadSettings(options, false)
  const backend = await connect(globals, log)
  try {
    return await follow(
      backend,
      id,
      Date.now(),
      {
        json: options.json,
        download: options.download,
        settings: downloadSettings(options, backend.privateBase),
        ...(options.out ? { out: options.out } : {}),
      },
      createProgress(),
      new Interrupt(),
    )
  } finally {
    await backend.close()
  }
}

export async function taskCancel(id: string, options: { json: boolean }, globals: GlobalOptions): Promise<number> {
  const backend = await connect(globals, log)
  try {
    const result = await backend.client.cancelTask(id)
    process.stdout.write(options.json ? `${jsonText(result)}\n` : `Cancelled task ${show(id)}\n`)
    return EXIT.ok
  } finally {
    await backend.close()
  }
}

const CANCEL_MODELS = ['kling', 'midjourney', 'suno', 'luma', 'all'] as const

/** `--before` accepts an ISO date/time, Unix seconds, or `now`. */
export function parseBefore(text: string): Date {
  // Creation times are whole seconds: "now" rounds up so tasks created this second count too.
  if (text === 'now') return new Date(Math.ceil(Date.now() / 1000) * 1000 + 1000)
  if (/^\d+$/.test(text)) return new Date(Number(text) * 1000)
  const date = new Date(text)
  if (Number.isNaN(date.getTime()))
    throw new CliError(`--before must be an ISO date, Unix seconds or "now", got "${text}"`, EXIT.usage)
  return date
}

export async function tasksCancel(
  options: { before: string; model: string; json: boolean },
  globals: GlobalOptions,
): Promise<number> {
  if (!(CANCEL_MODELS as readonly string[]).includes(options.model)) {
    throw new CliError(`--model must be one of ${CANCEL_MODELS.join(', ')}, got "${options.model}"`, EXIT.usage)
  }
  const before = parseBefore(options.before)
  const backend = await connect(globals, log)
  try {
    const result = await backend.client.cancelTasks({ createdBefore: before, model: options.model as CancelTasksModel })
    const canceled = (result as { data?: { canceled?: number } }).data?.canceled
    process.stdout.write(
      options.json
        ? `${jsonText(result)}\n`
        : `Cancelled ${canceled !== undefined ? show(canceled) : 'the'} pending ${options.model === 'all' ? '' : `${options.model} `}task${canceled === 1 ? '' : 's'} created before ${before.toISOString()}\n`,
    )
    return EXIT.ok
  } finally {
    await backend.close()
  }
}

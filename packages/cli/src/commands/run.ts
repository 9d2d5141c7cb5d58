// goapi run <family|model> <task_type>: one task, or a batch from a .jsonl file.
import { readFile } from 'node:fs/promises'
import { TaskFailedError, type TaskKind, type UntypedTask } from '@goapi/client'
import { connect, type GlobalOptions } from '../backend.js'
import {
  DEFAULT_OUT_ROOT,
  downloadSettings,
  failureLines,
  saveTaskFiles,
  shownPath,
  type DownloadFlags,
  type DownloadSettings,
  type Saved,
} from '../download.js'
import { CliError, EXIT } from '../errors.js'
import { creditsUsed, duration, points, table } from '../format.js'
import { Interrupt, settleInterrupt } from '../interrupt.js'
import { jsonText, shellWord, show } from '../output.js'
import { createProgress } from '../progress.js'
import { coerce, resolveTarget, setPath, validate, type Request } from '../spec.js'
import { follow } from './follow.js'

export interface RunOptions extends DownloadFlags {
  prompt?: string
  input: string[]
  inputFile?: string
  model?: string
  config?: string
  wait: boolean
  download: boolean
  json: boolean
  validate: boolean
  concurrency: string
}

interface Prepared {
  model: string
  taskType: string
  family: string | undefined
  kind: TaskKind | undefined
  /** Builds and checks the request for one input object; returns it or the problems. */
  build(input: Record<string, unknown>): { request: Request; problems: string[] }
}

function prepare(target: string, taskType: string | undefined, options: RunOptions): Prepared {
  let config: Record<string, unknown> | undefined
  if (options.config) {
    const parsed = parseJson(options.config, '--config')
    if (!isObject(parsed)) throw new CliError('--config must be a JSON object', EXIT.usage)
    config = parsed
  }
  let resolved: ReturnType<typeof resolveTarget> | undefined
  try {
    resolved = resolveTarget(target, taskType, options.model)
  } catch (error) {
    if (options.validate || !taskType) throw error
  }
  const model = resolved?.model ?? options.model ?? target
  const type = resolved?.entry.taskType ?? (taskType as string)
  const flags: Record<string, unknown> = {}
  for (const pair of options.input) {
    const eq = pair.indexOf('=')
    if (eq <= 0) throw new CliError(`--input expects key=value, got "${pair}"`, EXIT.usage)
    const path = pair.slice(0, eq).split('.')
    const text = pair.slice(eq + 1)
    setPath(flags, path, resolved ? coerce(resolved.entry, path, text) : parseLoose(text))
  }
  if (options.prompt !== undefined) flags.prompt = options.prompt
  return {
    model,
    taskType: type,
    family: resolved?.entry.family,
    kind: resolved?.entry.kind,
    build(input) {
      const request: Request = { model, task_type: type, input: { ...input, ...flags }, ...(config ? { config } : {}) }
      return { request, problems: resolved && options.validate ? validate(resolved.entry, request) : [] }
    },
  }
}

export async function runCommand(
  target: string,
  taskType: string | undefined,
  options: RunOptions,
  globals: GlobalOptions,
): Promise<number> {
  const prepared = prepare(target, taskType, options)
  // Checked before anything is sent, so a bad flag costs no task.
  downloadSettings(options, false)
  const file = options.inputFile
  if (file && /\.(jsonl|ndjson)$/i.test(file)) return runBatch(prepared, await readLines(file), options, globals)
  let base: Record<string, unknown> = {}
  if (file) {
    const parsed = parseJson(await readText(file), file)
    if (!isObject(parsed)) throw new CliError(`${file} must hold a JSON object (the task input)`, EXIT.usage)
    base = parsed
  }
  const { request, problems } = prepared.build(base)
  if (problems.length > 0) throw invalid(prepared, problems)

  const log = (line: string) => process.stderr.write(`${line}\n`)
  const backend = await connect(globals, log)
  const interrupt = new Interrupt()
  try {
    const progress = createProgress()
    const started = Date.now()
    progress.set(`creating ${prepared.model} ${prepared.taskType}`)
    let created: UntypedTask
    try {
      created = await backend.client.createUntypedTask(request, { signal: interrupt.signal })
    } catch (error) {
      progress.stop()
      if (interrupt.interrupted) {
        log(
          backend.offline
            ? 'Interrupted while creating the simulated task.'
            : 'Interrupted while creating the task: it may have been created anyway (see your task list).',
        )
        return EXIT.interrupted
      }
      throw error
    }
    progress.note(`Created task ${show(created.task_id)}`)
    if (!options.wait) {
      progress.stop()
      process.stdout.write(options.json ? `${jsonText(created)}\n` : `${show(created.task_id)}\n`)
      if (!options.json) log(`Follow it with: goapi task wait ${shellWord(created.task_id)}`)
      return EXIT.ok
    }
    return await follow(
      backend,
      created,
      started,
      {
        download: options.download,
        json: options.json,
        settings: downloadSettings(options, backend.privateBase),
        ...(options.out ? { out: options.out } : {}),
        ...(prepared.kind ? { kind: prepared.kind } : {}),
      },
      progress,
      interrupt,
    )
  } finally {
    interrupt.dispose()
    await backend.close()
  }
}

function invalid(prepared: Prepared, problems: string[], line?: number): CliError {
  const where = line === undefined ? '' : ` on line ${line}`
  const hint = prepared.family ? `\nSee its fields with: goapi models ${prepared.family}` : ''
  return new CliError(
    `Invalid input for ${prepared.model} ${prepared.taskType}${where}:\n  ${problems.join('\n  ')}${hint}`,
    EXIT.usage,
  )
}

interface Row {
  line: number
  taskId?: string
  status: 'invalid' | 'queued' | 'running' | 'completed' | 'failed' | 'error' | 'interrupted'
  elapsedMs?: number
  credits?: number
  files: Saved['saved']
  error?: string
  task?: UntypedTask
}

async function runBatch(
  prepared: Prepared,
  lines: Array<{ line: number; text: string }>,
  options: RunOptions,
  globals: GlobalOptions,
): Promise<number> {
  const concurrency = Number(options.concurrency)
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new CliError('--concurrency must be a whole number of at least 1', EXIT.usage)
  if (!options.wait) throw new CliError('--no-wait is not supported with a .jsonl batch', EXIT.usage)
  if (lines.length === 0) throw new CliError(`${options.inputFile} has no tasks`, EXIT.usage)
  const jobs = lines.map(({ line, text }) => {
    const row: Row = { line, status: 'queued', files: [] }
    let parsed: unknown
    try {
      parsed = JSON.parse(text)
    } catch {
      return { row: { ...row, status: 'invalid' as const, error: 'not valid JSON' }, request: undefined }
    }
    if (!isObject(parsed))
      return { row: { ...row, status: 'invalid' as const, error: 'not a JSON object' }, request: undefined }
    const { request, problems } = prepared.build(parsed)
    if (problems.length > 0)
      return { row: { ...row, status: 'invalid' as const, error: problems.join('; ') }, request: undefined }
    return { row, request }
  })

  const log = (line: string) => process.stderr.write(`${line}\n`)
  const backend = await connect(globals, log)
  const settings: DownloadSettings = downloadSettings(options, backend.privateBase)
  const progress = createProgress()
  const started = Date.now()
  const interrupt = new Interrupt()
  const rows = jobs.map((j) => j.row)
  let halted: string[] = []
  const { halt } = backend
  if (halt)
    interrupt.first.push(
      () => (halted = halt(rows.filter((r) => r.status === 'running' && r.taskId).map((r) => r.taskId as string))),
    )
  const refresh = () => {
    const count = (s: Row['status']) => rows.filter((r) => r.status === s).length
    const finished = rows.length - count('queued') - count('running')
    progress.set(
      `batch ${finished}/${rows.length} done · ${count('completed')} completed · ${finished - count('completed')} failed · ${count('running')} running`,
    )
  }
  for (const row of rows)
    if (row.status === 'invalid') progress.note(`✖ line ${row.line}: invalid input: ${show(row.error)}`)
  refresh()

  const runOne = async (row: Row, request: Request) => {
    const t0 = Date.now()
    row.status = 'running'
    refresh()
    try {
      const created = await backend.client.createUntypedTask(request, { signal: interrupt.signal })
      row.taskId = created.task_id
      const done = await backend.client.wait(created, {
        signal: interrupt.signal,
        ...(prepared.kind ? { kind: prepared.kind } : {}),
        ...(backend.poll ? { poll: backend.poll } : {}),
        onProgress: () => refresh(),
      })
      row.task = done
      row.credits = creditsUsed(done)
      if (options.download) {
        const { saved, failed } = await saveTaskFiles(done, {
          root: options.out ?? DEFAULT_OUT_ROOT,
          settings,
          signal: interrupt.signal,
        })
        row.files = saved
        if (interrupt.interrupted) throw new Error('interrupted')
        if (failed.length > 0) {
          for (const line of failureLines(failed)) progress.note(`✖ line ${row.line}: ${line}`)
          throw new Error(`${failed.length} file${failed.length === 1 ? '' : 's'} not saved`)
        }
      }
      row.status = 'completed'
      progress.note(
        `✔ line ${row.line}: task ${show(done.task_id)} completed${row.files.length ? ` (${row.files.length} file${row.files.length === 1 ? '' : 's'})` : ''}`,
      )
    } catch (error) {
      if (interrupt.interrupted) {
        row.status = 'interrupted'
        return
      }
      row.status = error instanceof TaskFailedError ? 'failed' : 'error'
      if (error instanceof TaskFailedError) row.task = error.task
      row.error =
        error instanceof TaskFailedError
          ? error.task.error?.message || error.message
          : error instanceof Error
            ? error.message
            : String(error)
      progress.note(
        `✖ line ${row.line}: ${row.taskId ? `task ${show(row.taskId)} ` : ''}${row.status}: ${show(row.error)}`,
      )
    } finally {
      row.elapsedMs = Date.now() - t0
      refresh()
    }
  }

  try {
    const queue = jobs.filter((j) => j.request !== undefined)
    const worker = async () => {
      for (let job = queue.shift(); job && !interrupt.interrupted; job = queue.shift())
        await runOne(job.row, job.request as Request)
    }
    await Promise.all(Array.from({ length: Math.min(concurrency, queue.length) }, worker))
    progress.stop()
    if (interrupt.interrupted) {
      const unfinished = rows.filter((r) => r.status === 'interrupted' && r.taskId).map((r) => r.taskId as string)
      return await settleInterrupt(backend.client, unfinished, backend.offline, log, halted)
    }
  } finally {
    interrupt.dispose()
    progress.stop()
    await backend.close()
  }

  if (options.json) {
    const out = rows.map((r) => ({
      line: r.line,
      status: r.status,
      task_id: r.taskId ?? null,
      files: r.files.map((f) => f.path),
      error: r.error ?? null,
      task: r.task ?? null,
    }))
    process.stdout.write(`${jsonText(out)}\n`)
  } else {
    const body = rows.map((r) => [
      String(r.line),
      r.taskId !== undefined ? show(r.taskId) : '-',
      r.status,
      r.elapsedMs !== undefined ? duration(r.elapsedMs) : '-',
      r.credits !== undefined ? points(r.credits) : '-',
      r.error !== undefined ? show(r.error) : r.files.map((f) => shownPath(f.path)).join(', ') || '-',
    ])
    const ok = rows.filter((r) => r.status === 'completed').length
    process.stdout.write(
      `${table(['LINE', 'TASK', 'STATUS', 'TIME', 'CREDITS', 'FILES / ERROR'], body)}\n\n${ok}/${rows.length} completed in ${duration(Date.now() - started)}\n`,
    )
  }
  return rows.every((r) => r.status === 'completed') ? EXIT.ok : EXIT.failure
}

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8')
  } catch (error) {
    throw new CliError(`Cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`, EXIT.usage)
  }
}

async function readLines(file: string): Promise<Array<{ line: number; text: string }>> {
  return (await readText(file))
    .split(/\r?\n/)
    .map((text, i) => ({ line: i + 1, text: text.trim() }))
    .filter((l) => l.text !== '')
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown
  } catch (error) {
    throw new CliError(
      `${what} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
      EXIT.usage,
    )
  }
}

function parseLoose(text: string): unknown {
  try {
    return JSON.parse(text) as unknown
  } catch {
    return text
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

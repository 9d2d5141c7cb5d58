// Streams batch input: JSONL (one create-task request per line) or CSV with a task template whose
// columns fill input fields. Never loads the file whole; a line that cannot be parsed becomes a row
// with an error, and the rows after it still run.
import { createReadStream } from 'node:fs'
import { createInterface } from 'node:readline'
import { parse } from 'csv-parse'
import type { BatchRequest, RequestValidator } from './validate.js'

/** One input row: its number (from 1) and the request, or why it has none. */
export type BatchRow = { row: number; request: BatchRequest } | { row: number; error: string }

/** Which task a CSV file's rows create: a family and a task type (or function name), optionally a model. */
export interface CsvTemplate {
  family: string
  task: string
  model?: string
  config?: Record<string, unknown>
}

export interface ReadRowsOptions {
  /** `jsonl` or `csv`; by default from the file extension (`.csv` is CSV, anything else JSONL). */
  format?: 'jsonl' | 'csv'
  /** Required for CSV. */
  template?: CsvTemplate
  /** Needed for CSV (to type the columns); pass the one the batch uses. */
  validator?: RequestValidator
}

export class InputError extends Error {
  override name = 'InputError'
}

/** Reads the rows of a JSONL or CSV file, one at a time. */
export async function* readRows(file: string, options: ReadRowsOptions = {}): AsyncGenerator<BatchRow> {
  const format = options.format ?? (/\.csv$/i.test(file) ? 'csv' : 'jsonl')
  if (format === 'csv') {
    if (!options.template) throw new InputError('CSV input needs a template: a family and a task (--family, --task)')
    if (!options.validator) throw new InputError('CSV input needs the validator to type its columns')
    yield* csvRows(file, options.template, options.validator)
    return
  }
  yield* jsonlRows(file)
}

async function* jsonlRows(file: string): AsyncGenerator<BatchRow> {
  const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity })
  let row = 0
  for await (const line of lines) {
    if (line.trim() === '') continue
    row++
    yield parseJsonLine(row, line)
  }
}

/** One JSONL line as a row: a JSON object, or an error saying what is wrong with it. */
export function parseJsonLine(row: number, line: string): BatchRow {
  let value: unknown
  try {
    value = JSON.parse(line)
  } catch (error) {
    return { row, error: `not valid JSON (${error instanceof Error ? error.message : String(error)})` }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { row, error: 'must be a JSON object {"model", "task_type", "input", "config"?}' }
  return { row, request: value as BatchRequest }
}

async function* csvRows(file: string, template: CsvTemplate, validator: RequestValidator): AsyncGenerator<BatchRow> {
  const tasks = validator.familyTasks(template.family)
  if (tasks.length === 0) throw new InputError(`unknown family "${template.family}"`)
  const matching = tasks.filter(
    (t) =>
      (t.taskType === template.task || t.function === template.task) &&
      (!template.model || t.models.includes(template.model)),
  )
  const entry = matching[0]
  if (!entry || matching.length > 1)
    throw new InputError(
      `${template.family} ${matching.length > 1 ? `has several "${template.task}" task types: pass the model` : `has no task "${template.task}"`} (it has: ${tasks.map((t) => t.taskType).join(', ')})`,
    )
  const model = template.model ?? entry.defaultModel
  const parser = createReadStream(file).pipe(
    parse({ columns: true, bom: true, skip_empty_lines: true, trim: false, relax_column_count: false }),
  )
  let row = 0
  try {
    for await (const record of parser as AsyncIterable<Record<string, string>>) {
      row++
      const input: Record<string, unknown> = {}
      for (const [column, cell] of Object.entries(record)) {
        if (cell === '') continue
        setPath(
          input,
          column.split('.'),
          coerce(validator.inputFieldTypes(entry, column.split('.')[0] ?? column), cell),
        )
      }
      yield {
        row,
        request: { model, task_type: entry.taskType, input, ...(template.config ? { config: template.config } : {}) },
      }
    }
  } catch (error) {
    // csv-parse stops at a malformed record; that row fails and nothing after it can be trusted.
    yield { row: row + 1, error: `CSV: ${error instanceof Error ? error.message : String(error)}` }
  }
}

/** A CSV cell as the type its input field takes: strings stay text, numbers, booleans and JSON are parsed. */
function coerce(types: string[], cell: string): unknown {
  if (types.length === 0 || types.includes('string')) return cell
  if ((types.includes('number') || types.includes('integer')) && cell.trim() !== '' && Number.isFinite(Number(cell)))
    return Number(cell)
  if (types.includes('boolean') && (cell === 'true' || cell === 'false')) return cell === 'true'
  try {
    return JSON.parse(cell) as unknown
  } catch {
    return cell
  }
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target
  path.forEach((key, i) => {
    // defineProperty: a column named `__proto__` becomes a plain field, never the object's prototype.
    const put = (v: unknown) =>
      Object.defineProperty(node, key, { value: v, enumerable: true, writable: true, configurable: true })
    if (i === path.length - 1) {
      put(value)
      return
    }
    const next = Object.hasOwn(node, key) ? node[key] : undefined
    if (typeof next !== 'object' || next === null || Array.isArray(next)) put({})
    node = node[key] as Record<string, unknown>
  })
}

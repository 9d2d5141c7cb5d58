// goapi account: balance, credits and concurrency of the account behind the key.
import { readFile } from 'node:fs/promises'
import { basename } from 'node:path'
import { getAccountInfo, listActiveTasks, listTaskHistory, uploadFile, type AccountInfo } from '@goapi/client'
import { connect, type GlobalOptions } from '../backend.js'
import { CliError, EXIT } from '../errors.js'
import { points, table } from '../format.js'
import { jsonText, show } from '../output.js'

const log = (line: string) => process.stderr.write(`${line}\n`)

/**
 * The account info without the `api_key` field GoAPI may echo. (The key's value in any other field
 * is redacted from everything the CLI prints: see `guardOutput`.)
 */
export function publicAccountInfo(info: AccountInfo): AccountInfo {
  const copy: AccountInfo = { ...info }
  delete copy.api_key
  return copy
}

function activeCount(active: unknown): number {
  if (Array.isArray(active)) return active.length
  if (typeof active === 'object' && active !== null)
    return Object.values(active).reduce<number>((n, v) => n + activeCount(v), 0)
  return 0
}

export async function accountCommand(options: { json: boolean }, globals: GlobalOptions): Promise<number> {
  const backend = await connect(globals, log)
  try {
    const [info, active] = await Promise.all([getAccountInfo(backend.client), listActiveTasks(backend.client)])
    const safe = publicAccountInfo(info)
    if (options.json) {
      process.stdout.write(`${jsonText({ account: safe, active_tasks: active })}\n`)
      return EXIT.ok
    }
    const wallet = safe.wallet
    const lines = [
      `Account      ${show(safe.name ?? safe.account_name ?? '?')} (id ${show(safe.id ?? safe.account_id ?? '?')})`,
      `Plan         ${show(safe.plan ?? '?')}${safe.type ? ` (${show(safe.type)})` : ''}`,
      `Balance      ${safe.equivalent_in_usd !== undefined ? `$${show(safe.equivalent_in_usd)}` : 'not reported'}`,
    ]
    if (wallet) {
      lines.push(
        `Credits      ${points(wallet.point_remain)} remaining, ${points(wallet.point_frozen ?? 0)} frozen, ${points(wallet.point_used ?? 0)} used`,
      )
    }
    lines.push(
      `Concurrency  ${safe.max_concurrent_task_count !== undefined ? `${show(safe.max_concurrent_task_count)} tasks at once` : 'not reported'}`,
    )
    lines.push(`Active tasks ${activeCount(active)}`)
    process.stdout.write(`${lines.join('\n')}\n`)
    return EXIT.ok
  } finally {
    await backend.close()
  }
}

/** goapi account history: one page of the account's task history. */
export async function accountHistory(
  options: { page: string; pageSize: string; model?: string; json: boolean },
  globals: GlobalOptions,
): Promise<number> {
  const page = Number(options.page)
  const size = Number(options.pageSize)
  if (!Number.isInteger(page) || page < 1 || !Number.isInteger(size) || size < 1 || size > 100)
    throw new CliError('--page must be 1 or more and --page-size 1..100', EXIT.usage)
  const backend = await connect(globals, log)
  try {
    const history = await listTaskHistory(backend.client, {
      page,
      page_size: size,
      ...(options.model ? { model: options.model } : {}),
    })
    if (options.json) {
      process.stdout.write(`${jsonText(history)}\n`)
      return EXIT.ok
    }
    const rows = ((history as { data?: unknown[] }).data ?? []).map((entry) => {
      const e = entry as Record<string, unknown>
      return [e.task_id, e.model, e.task_type, e.status, e.created_at].map((v) => show(v ?? '-'))
    })
    const total = (history as { total?: unknown }).total
    process.stdout.write(
      `${rows.length > 0 ? `${table(['TASK', 'MODEL', 'TYPE', 'STATUS', 'CREATED'], rows)}\n` : 'No tasks.\n'}Page ${page}${total !== undefined ? ` of ${show(Math.max(1, Math.ceil(Number(total) / size)))} (${show(total)} tasks)` : ''}\n`,
    )
    return EXIT.ok
  } finally {
    await backend.close()
  }
}

/** goapi upload FILE: uploads a file (base64) and prints its temporary public URL. */
export async function uploadCommand(file: string, options: { json: boolean }, globals: GlobalOptions): Promise<number> {
  const bytes = await readFile(file).catch((error: Error) => {
    throw new CliError(`Cannot read ${file}: ${error.message}`, EXIT.usage)
  })
  const backend = await connect(globals, log)
  try {
    // Offline the upload route is on the simulator's port; online on its own host (or --base-url).
    const base = backend.offline ? backend.client.baseUrl : globals.baseUrl
    const uploaded = await uploadFile(
      backend.client,
      { file_name: basename(file), file_data: new Uint8Array(bytes) },
      base ? { uploadBaseUrl: base } : {},
    )
    process.stdout.write(options.json ? `${jsonText(uploaded)}\n` : `${show(uploaded.url)}\n`)
    return EXIT.ok
  } finally {
    await backend.close()
  }
}

// goapi account: balance, credits and concurrency of the account behind the key.
import { getAccountInfo, listActiveTasks, type AccountInfo } from '@goapi/client'
import { connect, type GlobalOptions } from '../backend.js'
import { EXIT } from '../errors.js'
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
        `Credits      ${show(wallet.point_remain ?? '?')} remaining, ${show(wallet.point_frozen ?? 0)} frozen, ${show(wallet.point_used ?? 0)} used`,
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

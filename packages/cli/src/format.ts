// Small text helpers for summaries and tables.
import type { UntypedTask } from '@goapi/client'
import { POINTS_PER_USD } from '@goapi/mock'

export function duration(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`
  const s = Math.round(ms / 1000)
  return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`
}

/** Credits a task consumed (`meta.usage.consume`), when reported. */
export function creditsUsed(task: UntypedTask): number | undefined {
  const usage = (task.meta as { usage?: { consume?: unknown } } | undefined)?.usage
  return typeof usage?.consume === 'number' ? usage.consume : undefined
}

/**
 * Credits (points) with their unit and the USD equivalent (GoAPI: 10,000,000 points = 1 USD):
 * `150,000 points ($0.015)`.
 */
export function points(value: unknown): string {
  const n = typeof value === 'number' ? value : Number(value)
  if (!Number.isFinite(n)) return 'not reported'
  const usd = n / POINTS_PER_USD
  const dollars = usd.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: usd < 1 ? 6 : 2 })
  return `${n.toLocaleString('en-US')} points ($${dollars})`
}

/** Progress percent where the family reports one (`output.progress` or `output.percent`). */
export function percent(task: UntypedTask): number | undefined {
  const output = task.output as Record<string, unknown> | null | undefined
  if (typeof output !== 'object' || output === null) return undefined
  for (const key of ['progress', 'percent']) {
    const value = output[key]
    if (typeof value === 'number' && value >= 0 && value <= 100) return value
  }
  return undefined
}

/** Left-aligned columns separated by two spaces. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd()
  return [line(header), ...rows.map(line)].join('\n')
}

// The goals of the performance issue, each as a limit on one figure of a run. Every figure is a
// ratio against a baseline measured in the same run, or a count or size that does not depend on the
// machine; only the codegen and tail limits are times.
import type { BenchResults } from './report.js'

export interface Goal {
  /** What is measured, for the table. */
  measure: (r: BenchResults) => string
  /** The goal as the issue states it. */
  goal: string
  /** The figure compared with `limit` (lower is better), or undefined when this run did not measure it. */
  value: (r: BenchResults) => number | undefined
  limit: number
  /** How the figure reads in the table (with whatever context helps). */
  show: (value: number, r: BenchResults) => string
}

export interface GoalRow {
  measure: string
  goal: string
  measured: string
  met: boolean
}

const int = (n: number) => Math.round(n).toLocaleString('en-US')
const s1 = (ms: number) => `${(ms / 1000).toFixed(2)} s`
const secs = (ms: number) => `${Number((ms / 1000).toFixed(1))} s`
const times = (n: number) => `×${n.toFixed(2)}`

/**
 * The goal rows read the steady state of a process ('goapi-learned': the prior refined by the
 * tasks of the pair that completed before); the first task of a fresh process, which has only the
 * spec's deliberately wide prior, is shown beside it.
 */
function pollingRow(r: BenchResults, scenario: string, poller: 'goapi' | 'goapi-learned' = 'goapi-learned') {
  return r.polling?.rows.find((row) => row.scenario === scenario && row.poller === poller)
}

function pollingLabel(r: BenchResults, scenario: string, what: string): string {
  const row = pollingRow(r, scenario)
  if (!row) return what
  const prior = row.prior ? `spec prior ${secs(row.prior.typicalMs)}, p90 ${secs(row.prior.p90Ms)}` : 'no spec prior'
  return `${what}, ${int(row.durationMs / 1000)} s ${row.kind} task (${row.task}, ${prior}), after ${int(r.polling?.warmupTasks ?? 0)} tasks of it in the process`
}

/** The same figure for a task in a fresh process (the spec prior alone). */
function fresh(r: BenchResults, scenario: string, figure: 'meanRequests' | 'meanLagMs'): string {
  const value = pollingRow(r, scenario, 'goapi')?.[figure]
  if (value === undefined) return ''
  return `; fresh process: ${figure === 'meanLagMs' ? s1(value) : value.toFixed(1)}`
}

/** GETs per task of a polling scenario, with the worst task and the fresh-process figure. */
function requestsGoal(scenario: string, limit: number): Goal {
  return {
    measure: (r) => pollingLabel(r, scenario, 'GETs per task'),
    goal: `≤ ${limit}`,
    value: (r) => pollingRow(r, scenario)?.meanRequests,
    limit,
    show: (v, r) =>
      `${v.toFixed(1)} (max ${int(pollingRow(r, scenario)?.requests.max ?? 0)})${fresh(r, scenario, 'meanRequests')}`,
  }
}

/** Mean lag of a polling scenario (≤ 1.5 s for both), with the fresh-process figure. */
function lagGoal(scenario: string): Goal {
  return {
    measure: (r) => pollingLabel(r, scenario, 'mean lag'),
    goal: '≤ 1.5 s',
    value: (r) => pollingRow(r, scenario)?.meanLagMs,
    limit: 1_500,
    show: (v, r) => `${s1(v)}${fresh(r, scenario, 'meanLagMs')}`,
  }
}

/** The scale ratios are medians of each run's ratio (client / its own replay). */
const runs = (r: BenchResults) => {
  const n = r.scale?.pairs.length ?? 0
  return n === 1 ? 'one run' : `median of ${n} runs' ratios`
}

function scaleLabel(r: BenchResults, what: string): string {
  const o = r.scale?.options
  return o ? `${int(o.tasks)} concurrent ${secs(o.taskMs)} tasks, one client: ${what}` : what
}

export const GOALS: readonly Goal[] = [
  {
    measure: () => 'CPU per create+get on loopback, canned server in its own process',
    goal: '≤ ×1.05 raw fetch',
    value: (r) => r.overhead?.loopback.cpu.ratioToFetch.goapi,
    limit: 1.05,
    show: (v, r) => {
      const c = r.overhead?.loopback.cpu
      return `${times(v)} (${int(c?.perCallUs.goapi.median ?? 0)} µs vs ${int(c?.perCallUs.fetch.median ?? 0)} µs)`
    },
  },
  {
    measure: () => 'bundle: create + one Flux txt2img + wait, esbuild min+gzip',
    goal: '≤ 4,000 B',
    value: (r) => r.bundle?.consumers.goapi?.gzip,
    limit: 4_000,
    show: (v) => `${int(v)} B`,
  },
  {
    measure: () => 'bundle: the same job against replicate',
    goal: '≤ 0.55× replicate',
    value: (r) => {
      const ours = r.bundle?.consumers.goapi?.gzip
      const theirs = r.bundle?.consumers.replicate?.gzip
      return ours !== undefined && theirs ? ours / theirs : undefined
    },
    limit: 0.55,
    show: (v, r) => `${v.toFixed(2)}× (replicate ${int(r.bundle?.consumers.replicate?.gzip ?? 0)} B)`,
  },
  requestsGoal('image', 12),
  requestsGoal('video', 20),
  lagGoal('image'),
  lagGoal('video'),
  {
    measure: (r) => scaleLabel(r, 'CPU'),
    goal: '≤ ×1.15 raw fetch on the same schedule',
    value: (r) => r.scale?.cpuRatio,
    limit: 1.15,
    show: (v, r) =>
      `${times(v)} (${runs(r)}; medians ${int(r.scale?.client.cpuMs.median ?? 0)} ms vs ${int(r.scale?.fetch.cpuMs.median ?? 0)} ms)`,
  },
  {
    measure: (r) => scaleLabel(r, 'peak RSS growth'),
    goal: '≤ ×1.15 raw fetch on the same schedule',
    value: (r) => r.scale?.rssGrowthRatio,
    limit: 1.15,
    show: (v, r) =>
      `${times(v)} (${runs(r)}; medians ${int(r.scale?.client.rssGrowthMb.median ?? 0)} MB vs ${int(r.scale?.fetch.rssGrowthMb.median ?? 0)} MB)`,
  },
  {
    measure: (r) => scaleLabel(r, 'tail after the last completion'),
    goal: '≤ 0.4 s',
    value: (r) => r.scale?.client.tailMs.median,
    limit: 400,
    show: (v, r) => `${s1(v)} (raw fetch on the same schedule: ${s1(r.scale?.fetch.tailMs.median ?? 0)})`,
  },
  {
    measure: () => '`pnpm generate --check`',
    goal: '≤ 4 s',
    value: (r) => r.codegen?.commands.find((c) => c.name === 'pnpm generate --check')?.wallMs.median,
    limit: 4_000,
    show: (v) => s1(v),
  },
]

/** The goals this run measured, each with its figure and whether it is met. */
export function goalRows(r: BenchResults, goals: readonly Goal[] = GOALS): GoalRow[] {
  return goals.flatMap((g) => {
    const value = g.value(r)
    if (value === undefined || Number.isNaN(value)) return []
    return [{ measure: g.measure(r), goal: g.goal, measured: g.show(value, r), met: value <= g.limit }]
  })
}

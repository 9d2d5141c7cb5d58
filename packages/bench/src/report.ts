// Turns a results object into the one table `pnpm bench` prints and into BENCHMARKS.md.
import type { BatchBenchResult } from './batch.js'
import type { BundleResult } from './bundle.js'
import type { CodegenResult } from './codegen.js'
import { goalRows } from './goals.js'
import type { OverheadResult, Variant } from './overhead.js'
import type { PollingResult } from './polling.js'
import type { ScaleResult, ScaleSideSummary } from './scale.js'
import type { Stat } from './stats.js'
import type { TypecheckResult } from './typecheck.js'

export interface MachineInfo {
  cpu: string
  cores: number
  memoryGb: number
  os: string
  node: string
  pnpm: string
  commit: string
  loadAverageAtStart: number[]
  /** Set when the run ends. */
  loadAverageAtEnd?: number[]
}

export interface BenchResults {
  schema: 2
  date: string
  machine: MachineInfo
  /** Wall time of each measurement, s. */
  sectionSeconds: Record<string, number>
  overhead?: OverheadResult
  bundle?: BundleResult
  typecheck?: TypecheckResult
  polling?: PollingResult
  scale?: ScaleResult
  codegen?: CodegenResult
  batch?: BatchBenchResult
}

export interface Row {
  measure: string
  subject: string
  median: string
  range: string
  compared: string
}

const int = (n: number) => Math.round(n).toLocaleString('en-US')
export const bytes = (n: number) => `${int(n)} B`
export const ms = (n: number) =>
  Math.abs(n) >= 1000 ? `${(n / 1000).toFixed(n >= 100_000 ? 0 : 1)} s` : `${int(n)} ms`
const us = (n: number) => `${int(n)} µs`
const ratio = (n: number) => `×${n.toFixed(2)}`
const range = (s: Stat, f: (n: number) => string) => (s.runs > 1 ? `${f(s.min)} – ${f(s.max)}` : '—')
const signed = (n: number, f: (n: number) => string) => `${n >= 0 ? '+' : '−'}${f(Math.abs(n))}`

const CONSUMER_LABEL: Record<string, string> = {
  goapi: '@goapi/client + @goapi/flux',
  'goapi-proxy': '@goapi/server page: createProxyClient + @goapi/flux',
  fetch: 'hand-written fetch',
}

const VARIANT_LABEL: Record<Variant, string> = {
  fetch: 'raw fetch',
  'openapi-fetch': 'bare openapi-fetch',
  goapi: '@goapi/client',
}

export function rows(r: BenchResults): Row[] {
  const out: Row[] = []
  if (r.overhead) {
    const o = r.overhead
    for (const [side, label] of [
      ['loopback', 'loopback, canned server'],
      ['inMemory', 'in-memory fetch'],
    ] as const) {
      for (const [kind, what] of [
        ['cpu', 'CPU'],
        ['wall', 'wall'],
      ] as const) {
        const f = o[side][kind]
        for (const v of ['fetch', 'openapi-fetch', 'goapi'] as const) {
          const s = f.perCallUs[v]
          out.push({
            measure: `1. create+get, ${label}, ${what}`,
            subject: VARIANT_LABEL[v],
            median: us(s.median),
            range: range(s, us),
            compared: v === 'fetch' ? 'baseline' : `${ratio(f.ratioToFetch[v])} fetch (${signed(f.extraUs[v], us)})`,
          })
        }
      }
    }
  }
  if (r.bundle) {
    const b = r.bundle
    for (const [name, s] of Object.entries(b.consumers)) {
      out.push({
        measure: '2. bundle: create + run one image + wait',
        subject: CONSUMER_LABEL[name] ?? name,
        median: `${bytes(s.gzip)} gz`,
        range: `${bytes(s.minified)} min`,
        compared: name === 'goapi' ? `baseline (${bytes(s.ours)} min of ours)` : `${ratio(s.ratioToGoapi)} ours`,
      })
    }
    if (b.families.length > 0) {
      const own = b.families.map((f) => f.own.gzip).sort((x, y) => x - y)
      const mid = own[own.length >> 1] ?? 0
      out.push({
        measure: '2. bundle: whole family package, client external',
        subject: `${b.families.length} family packages`,
        median: `${bytes(mid)} gz`,
        range: `${bytes(own[0] ?? 0)} – ${bytes(own[own.length - 1] ?? 0)} gz`,
        compared: 'see the family table',
      })
    }
    const t = b.typeOnly
    out.push({
      measure: '2. bundle: type-only consumer',
      subject: '@goapi/types + @goapi/flux types',
      median: `${bytes(t.esbuild.ours)} of ours (esbuild)`,
      range: t.vite ? `${bytes(t.vite.ours)} of ours (Vite)` : '—',
      compared: `whole bundle ${bytes(t.esbuild.minified)} min (the consumer's own code)`,
    })
  }
  if (r.typecheck) {
    for (const row of r.typecheck.rows) {
      out.push({
        measure: `3. tsc --noEmit (TypeScript ${r.typecheck.typescript})`,
        subject: row.fixture,
        median: `check ${row.checkTimeS.median.toFixed(2)} s, ${int(row.instantiations)} inst., ${int(row.memoryMb.median)} MB`,
        range: `${row.checkTimeS.runs > 1 ? `check ${range(row.checkTimeS, (n) => n.toFixed(2))} s; ` : ''}total ${row.totalTimeS.median.toFixed(2)} s`,
        compared:
          row.fixture === 'empty'
            ? 'baseline'
            : `${signed(row.extra.checkTimeS, (n) => n.toFixed(2))} s check, ${signed(row.extra.totalTimeS, (n) => n.toFixed(2))} s total, ${signed(row.extra.instantiations, int)} inst., ${signed(row.extra.memoryMb, int)} MB`,
      })
    }
  }
  if (r.polling) {
    const p = r.polling
    for (const row of p.rows) {
      const prior = row.prior ? `spec prior ${ms(row.prior.typicalMs)} (p90 ${ms(row.prior.p90Ms)})` : 'kind prior'
      out.push({
        measure: `4. polling, ${ms(row.durationMs)} ${row.kind} task (${row.task}), ${p.trials} simulated tasks`,
        subject:
          row.poller === 'fixed-500ms'
            ? `fixed ${p.fixedIntervalMs} ms poller`
            : row.poller === 'goapi'
              ? `@goapi wait(), ${prior}, each task in a fresh process`
              : `@goapi wait(), ${prior}, after ${p.warmupTasks} tasks of the pair completed in the process`,
        median: `${row.meanRequests.toFixed(1)} GETs, lag ${ms(row.meanLagMs)} (means)`,
        range: `${int(row.requests.min)}–${int(row.requests.max)} GETs; lag ${ms(row.lagMs.min)} – ${ms(row.lagMs.max)}`,
        compared: `median ${int(row.requests.median)} GETs, lag ${ms(row.lagMs.median)}`,
      })
    }
  }
  if (r.scale) {
    const s = r.scale
    const label = `5. scale: ${int(s.options.tasks)} concurrent tasks of ${ms(s.options.taskMs)}, ${s.pairs.length} run${s.pairs.length === 1 ? '' : 's'}`
    const both = (f: (x: ScaleSideSummary) => Stat, show: (n: number) => string, subject: string, note = '') => {
      out.push({
        measure: label,
        subject: `${subject}: @goapi/client`,
        median: show(f(s.client).median),
        range: range(f(s.client), show),
        compared: `raw fetch on the same schedule: ${show(f(s.fetch).median)} (${range(f(s.fetch), show)})${note}`,
      })
    }
    const mb = (n: number) => `${n.toFixed(1)} MB`
    both((x) => x.cpuMs, ms, 'CPU during the burst', `; ${ratio(s.cpuRatio)}`)
    both((x) => x.rssGrowthMb, mb, 'peak RSS growth', `; ${ratio(s.rssGrowthRatio)}`)
    both((x) => x.wallMs, ms, 'wall time')
    both((x) => x.tailMs, ms, 'tail after the last completion')
    both((x) => x.lagMs, ms, 'detection lag per task')
    both(
      (x) => x.getsPerTask,
      (n) => n.toFixed(2),
      'GETs per task',
    )
    const kinds = (side: 'client' | 'fetch') =>
      [...new Set(s.pairs.flatMap((p) => Object.keys(p[side].newResources)))].join(', ') || 'none'
    both(
      (x) => x.newResources,
      int,
      'handles and timers new after the burst',
      `; types: ${kinds('client')} (client), ${kinds('fetch')} (raw fetch)`,
    )
    both((x) => x.exitAfterMs, ms, 'process exits by itself after its report')
    if (s.replayIncomplete > 0)
      out.push({
        measure: label,
        subject: 'replay tasks whose last GET did not see the task completed',
        median: int(s.replayIncomplete),
        range: '—',
        compared: 'the schedule is replayed exactly; these tasks are left out of its lags and tail',
      })
  }
  if (r.codegen) {
    for (const c of r.codegen.commands) {
      out.push({
        measure: '6. codegen and build',
        subject: c.name,
        median: ms(c.wallMs.median),
        range: range(c.wallMs, ms),
        compared: c.turboCached ? `${c.turboCached.cached}/${c.turboCached.total} turbo tasks cached` : '—',
      })
    }
  }
  if (r.batch) {
    const b = r.batch
    const label = `7. batch: ${int(b.options.rows)} rows, account limit ${b.options.limit}, ${ms(b.options.latency.pendingMs + b.options.latency.processingMs)} tasks`
    out.push({
      measure: label,
      subject: 'wall time',
      median: ms(b.wallMs),
      range: '—',
      compared: `${ratio(b.wallToFloor)} the limit-bound floor (${ms(b.floorMs)}); ${int(b.completed)} completed, ${int(b.creates)} creates`,
    })
    out.push({
      measure: label,
      subject: 'RSS',
      median: `${int(b.rssAt100Mb)} MB`,
      range: `${int(b.rssAt20Mb)} MB at 20 % of the rows`,
      compared: `${signed(b.rssGrowthPer10kMb, (n) => n.toFixed(1))} MB per 10,000 rows`,
    })
    const j = b.journalUsPerRow
    out.push({
      measure: label,
      subject: 'journal per row (SQLite WAL, main thread)',
      median: us(j.sqlite.median),
      range: range(j.sqlite, us),
      compared: `in memory: ${us(j.memory.median)}; WAL fsync before a create (off the main thread, shared): ${ms(b.flushMs.median)}`,
    })
  }
  return out
}

export function markdownTable(header: string[], body: string[][]): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|')
  return [
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...body.map((r) => `| ${r.map(esc).join(' | ')} |`),
  ].join('\n')
}

/** The goals this run measured: the figure, the goal, met or not. */
export function goalsTable(r: BenchResults): string {
  const goals = goalRows(r)
  if (goals.length === 0) return '(no goal measured in this run)'
  return markdownTable(
    ['Measure', 'Goal', 'Measured', 'Met'],
    goals.map((g) => [g.measure, g.goal, g.measured, g.met ? '✓' : '✗']),
  )
}

export function mainTable(r: BenchResults): string {
  return markdownTable(
    ['Measure', 'Subject', 'Median', 'Min – max', 'Compared'],
    rows(r).map((x) => [x.measure, x.subject, x.median, x.range, x.compared]),
  )
}

/** What `pnpm bench` prints: the goals, then every figure. */
export function printedReport(r: BenchResults): string {
  return ['## Goals', '', goalsTable(r), '', '## Details', '', mainTable(r)].join('\n')
}

function familyTable(b: BundleResult): string {
  return markdownTable(
    ['Package', 'Own min', 'Own gz', 'With what it uses of the client, gz'],
    b.families.map((f) => [`@goapi/${f.name}`, bytes(f.own.minified), bytes(f.own.gzip), bytes(f.withDeps.gzip)]),
  )
}

const loads = (l: readonly number[] | undefined) => (l ? l.map((n) => n.toFixed(2)).join(', ') : '—')

export function benchmarksMarkdown(r: BenchResults): string {
  const m = r.machine
  const busiest = Math.max(m.loadAverageAtStart[0] ?? 0, m.loadAverageAtEnd?.[0] ?? 0)
  const parts = [
    '# Benchmarks',
    '',
    `Written by \`npx -y pnpm@12.4.2 bench\` on ${r.date} (commit ${m.commit}). Do not edit by hand: run the bench again. Raw results: [packages/bench/results/latest.json](packages/bench/results/latest.json).`,
    '',
    'Every comparison is a ratio against a baseline measured in the same run. Every timing is the median of repeated runs, with the min and max; sizes, type counts and the simulated polling figures are exact and do not vary between runs.',
    '',
    busiest > m.cores
      ? `**Noisy run**: the machine was busy (1-minute load average ${(m.loadAverageAtStart[0] ?? 0).toFixed(1)} at the start, ${(m.loadAverageAtEnd?.[0] ?? 0).toFixed(1)} at the end, on ${m.cores} cores). CPU and wall times and their ratios are inflated and noisy; sizes, type counts and the polling figures (simulated time) are not affected. Rerun on a quiet machine before quoting them.`
      : `The machine was quiet enough (1-minute load average ${(m.loadAverageAtStart[0] ?? 0).toFixed(1)} at the start, ${(m.loadAverageAtEnd?.[0] ?? 0).toFixed(1)} at the end, on ${m.cores} cores); timings still vary by a few percent between runs.`,
    '',
    '## Goals',
    '',
    goalsTable(r),
    '',
    '## Details',
    '',
    mainTable(r),
    '',
  ]
  if (r.bundle && r.bundle.families.length > 0)
    parts.push(
      '## Family packages',
      '',
      'Each family package bundled whole (`export *`), esbuild minified, gzip -9.',
      '',
      familyTable(r.bundle),
      '',
    )
  parts.push(
    '## What is measured',
    '',
    "1. **Per-call overhead**: one create-task POST plus one get-task GET, in a loop, through `@goapi/client` (`createTask` + `getTask`), bare `openapi-fetch` with the spec types, and hand-written `fetch`, in a process of its own. On loopback against the canned server (`packages/bench/src/canned.ts`: node:http answering fixed GoAPI envelopes, in another process; not the validating simulator, whose work would hide the client's), and against an in-memory `fetch` with the same answers (no network: only the library cost is left). CPU is `process.cpuUsage()` of the client process (user + system) per create+get; wall time alongside. Variants take turns within each round; ratios are of medians over the rounds.",
    '2. **Bundle size**: esbuild 0.28, `bundle + minify`, ESM, browser platform, gzip level 9, of the same job (create a client, generate one Flux image, wait, print it) written with each library: the files are in `packages/bench/fixtures/bundle/`; the `@goapi/server` page does the job through `createProxyClient` (no key in the page). "Of ours" counts the bytes that come from this repo\'s packages (esbuild metafile; Vite module sizes). The type-only consumer must contain 0 bytes of ours.',
    '3. **Type-check cost**: `tsc --noEmit --extendedDiagnostics` (strict, NodeNext, skipLibCheck) of small consumers in `packages/bench/fixtures/typecheck/`: an empty file, the client with `@goapi/flux`, `@goapi/types` with every family package (one typed call each, generated from the spec examples), and `openai`. "Compared" is against the empty file.',
    `4. **Polling**, in simulated time: each task calls the generated task function (\`imagine\` of \`@goapi/midjourney\`, \`videoGeneration\` of \`@goapi/kling\`), so \`wait()\` gets the kind and the spec\'s \`x-goapi-task.duration\` prior as a user\'s call does, through a real client whose \`fetch\` answers in memory with the canned envelopes; the client\'s \`clock\` option gets a simulated clock (\`@sinonjs/fake-timers\`, no global replaced), so minutes pass without sleeping. Each task completes at a duration drawn uniformly within ±${Math.round((r.polling?.durationSpread ?? 0.1) * 100)}% of the nominal one (seeded, the same for every poller). GETs per task exclude the create; the lag runs from completion to the caller having the task. The goal rows are the fresh-process case (the spec prior alone); "refined" runs the tasks one after another in one process, so the prior learns from those that completed. A fixed ${r.polling?.fixedIntervalMs ?? 500} ms poller (as fal\'s and Replicate\'s clients do) on the same clock is the comparison.`,
    '5. **Scale**: one client (its own process) runs N concurrent `txt2img` calls (`@goapi/flux`, given a prior matching the task duration, as the spec would give for such a model) on the canned server (another process), whose tasks complete D ms after creation; it records when each request left. Then the baseline, another process, sends the same requests with hand-written `fetch`: each create at the same offset from the start and each GET when its task is as old (by the server\'s `created_at`) as it was at that GET in the client run, so the same number of GETs at the same moments; a fresh canned server serves each side. Both are measured alike: CPU of the process during the burst (`process.cpuUsage()`), peak RSS over RSS before the burst (sampled every 20 ms), the tail (when the caller had every task, after the server completed the last one). "New after the burst" lists handles (by identity, `process._getActiveHandles()`) and timers (`process.getActiveResourcesInfo()`) present 50 ms after the last task and not before the burst; the process must then exit by itself.',
    '6. **Codegen and build**: wall time of `pnpm generate --check` (bundle, lint, validate the spec and regenerate every file in memory) and of `pnpm build` after one untimed warm-up build.',
    "7. **Batch**: `@goapi/batch` (`runBatch` with a SQLite journal, its own process) runs N `txt2img` rows on the simulator (`@goapi/mock`, another process) whose account allows L tasks at once, each taking D ms; no `--concurrency` is given, so the batch starts from the account's `max_concurrent_task_count`. The floor is ceil(N / L) × D: no client can finish sooner. RSS is sampled after each tenth of the rows; its growth from 20 % to 100 % is scaled to 10,000 rows (flat = about 0). The journal line times the four writes each row costs (submitting with compare-and-set, task claim, running, completed) on a temporary SQLite file, against the in-memory store, and the fsync of the WAL that a create waits for (one fsync serves every row waiting).",
    '',
    '## Reproduce',
    '',
    'On a fresh clone (Node ≥ 20.19):',
    '',
    '```sh',
    'npx -y pnpm@12.4.2 install --frozen-lockfile',
    'npx -y pnpm@12.4.2 bench                       # builds, runs everything, prints the tables, writes this file',
    'npx -y pnpm@12.4.2 bench --only polling        # one or more of: bundle, typecheck, overhead, polling, scale, codegen, batch (prints only)',
    'npx -y pnpm@12.4.2 bench --only scale --small  # tiny sizes, to check the harness quickly (prints only)',
    '```',
    '',
    'Timings depend on the machine and on whatever else runs on it: compare runs from the same machine, and prefer a quiet one.',
    '',
    '## Machine',
    '',
    markdownTable(
      ['', ''],
      [
        ['CPU', `${m.cpu} × ${m.cores}`],
        ['Memory', `${m.memoryGb} GB`],
        ['OS', m.os],
        ['Node', m.node],
        ['pnpm', m.pnpm],
        ['Load average at start (1, 5, 15 min)', loads(m.loadAverageAtStart)],
        ['Load average at end (1, 5, 15 min)', loads(m.loadAverageAtEnd)],
        [
          'Run time per measure',
          Object.entries(r.sectionSeconds)
            .map(([k, v]) => `${k} ${Math.round(v)} s`)
            .join(', '),
        ],
      ],
    ),
    '',
  )
  return parts.join('\n')
}

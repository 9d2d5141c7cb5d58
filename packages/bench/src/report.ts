// Turns a results object into the one table `pnpm bench` prints and into BENCHMARKS.md.
import type { BatchBenchResult } from './batch.js'
import type { BundleResult } from './bundle.js'
import type { CodegenResult } from './codegen.js'
import type { OverheadResult, Variant } from './overhead.js'
import type { PollingResult } from './polling.js'
import type { ScaleResult } from './scale.js'
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
}

export interface BenchResults {
  schema: 1
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
      ['loopback', 'loopback'],
      ['inMemory', 'in-memory fetch'],
    ] as const) {
      for (const v of ['fetch', 'openapi-fetch', 'goapi'] as const) {
        const s = o[side].perCallUs[v]
        out.push({
          measure: `1. create+get, ${label}`,
          subject: VARIANT_LABEL[v],
          median: us(s.median),
          range: range(s, us),
          compared:
            v === 'fetch' ? 'baseline' : `${ratio(o[side].ratioToFetch[v])} fetch (${signed(o[side].extraUs[v], us)})`,
        })
      }
    }
  }
  if (r.bundle) {
    const b = r.bundle
    for (const [name, s] of Object.entries(b.consumers)) {
      out.push({
        measure: '2. bundle: create + run one image + wait',
        subject: name === 'goapi' ? '@goapi/client + @goapi/flux' : name === 'fetch' ? 'hand-written fetch' : name,
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
        range: `check ${range(row.checkTimeS, (n) => n.toFixed(2))} s; total ${row.totalTimeS.median.toFixed(2)} s`,
        compared:
          row.fixture === 'empty'
            ? 'baseline'
            : `${signed(row.extra.checkTimeS, (n) => n.toFixed(2))} s check, ${signed(row.extra.totalTimeS, (n) => n.toFixed(2))} s total, ${signed(row.extra.instantiations, int)} inst., ${signed(row.extra.memoryMb, int)} MB`,
      })
    }
  }
  if (r.polling) {
    for (const row of r.polling.rows) {
      const m = row.model
      out.push({
        measure: `4. polling, ${ms(row.durationMs)} task`,
        subject:
          row.poller === 'fixed-500ms'
            ? 'fixed 500 ms poller'
            : row.poller === 'goapi-eta'
              ? "@goapi wait(), the task's duration prior (ETA)"
              : `@goapi wait(), kind ${row.poller.replace('goapi-', '')} prior only`,
        median: `${int(m.requests.median)} GETs, lag ${ms(m.lagMs.median)}`,
        range: `${int(m.requests.min)}–${int(m.requests.max)} GETs; lag ${ms(m.lagMs.min)} – ${ms(m.lagMs.max)}`,
        compared: row.real
          ? `real run (time ÷${row.real.scale}, ${row.real.tasks} tasks): ${int(row.real.requests.median)} GETs, lag ${ms(row.real.lagMs.median)}`
          : '—',
      })
    }
  }
  if (r.scale) {
    const s = r.scale
    const label = `5. scale: ${int(s.options.tasks)} concurrent tasks of ${ms(s.taskMs)}`
    out.push({
      measure: label,
      subject: 'wall time',
      median: ms(s.wallMs.median),
      range: range(s.wallMs, ms),
      compared: `${ratio(s.wallToFloor)} the simulator's floor (${ms(s.floorMs.median)}; tail ${ms(s.tailMs.median)})`,
    })
    out.push({
      measure: label,
      subject: 'GETs per task',
      median: s.getsPerTask.median.toFixed(2),
      range: range(s.getsPerTask, (n) => n.toFixed(2)),
      compared: `detection lag ${ms(s.lagMs.median)} (${ms(s.lagMs.min)} – ${ms(s.lagMs.max)})`,
    })
    out.push({
      measure: label,
      subject: 'peak RSS growth',
      median: `${int(s.rssGrowthMb.median)} MB`,
      range: range(s.rssGrowthMb, (n) => `${int(n)} MB`),
      compared: `${((s.rssGrowthMb.median * 1024) / s.options.tasks).toFixed(0)} KB per task`,
    })
    const kinds = [...new Set(s.samples.flatMap((x) => Object.keys(x.handlesLeft)))].join(', ') || 'none'
    out.push({
      measure: label,
      subject: 'handles left afterwards',
      median: int(s.handlesLeft.median),
      range: range(s.handlesLeft, int),
      compared: `${kinds}; process exited ${ms(s.exitAfterMs.median)} after the last task`,
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

export function mainTable(r: BenchResults): string {
  return markdownTable(
    ['Measure', 'Subject', 'Median', 'Min – max', 'Compared'],
    rows(r).map((x) => [x.measure, x.subject, x.median, x.range, x.compared]),
  )
}

function familyTable(b: BundleResult): string {
  return markdownTable(
    ['Package', 'Own min', 'Own gz', 'With what it uses of the client, gz'],
    b.families.map((f) => [`@goapi/${f.name}`, bytes(f.own.minified), bytes(f.own.gzip), bytes(f.withDeps.gzip)]),
  )
}

export function benchmarksMarkdown(r: BenchResults): string {
  const m = r.machine
  const parts = [
    '# Benchmarks',
    '',
    `Written by \`pnpm bench\` on ${r.date} (commit ${m.commit}). Do not edit by hand: run the bench again. Raw results: [packages/bench/results/latest.json](packages/bench/results/latest.json).`,
    '',
    'Every timing is the median of repeated runs, with the min and max. Sizes and type counts are exact and do not vary between runs.',
    '',
    ...((m.loadAverageAtStart[0] ?? 0) > m.cores
      ? [
          `The machine was busy when this ran (load average ${(m.loadAverageAtStart[0] ?? 0).toFixed(1)} on ${m.cores} cores): timings are inflated and noisy; sizes, type counts and the polling model are not affected.`,
          '',
        ]
      : []),
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
    '1. **Per-call overhead**: one create-task POST plus one get-task GET, in a loop, through `@goapi/client` (`createTask` + `getTask`), bare `openapi-fetch` with the spec types, and hand-written `fetch`. Against `@goapi/mock` on 127.0.0.1 with zero latency in its own process, and against an in-memory `fetch` (no network: only the library cost is left). Variants take turns within each round.',
    '2. **Bundle size**: esbuild 0.28, `bundle + minify`, ESM, browser platform, gzip level 9, of the same job (create a client, generate one Flux image, wait, print it) written with each library: the files are in `packages/bench/fixtures/bundle/`. "Of ours" counts the bytes that come from this repo\'s packages (esbuild metafile; Vite module sizes). The type-only consumer must contain 0 bytes of ours.',
    '3. **Type-check cost**: `tsc --noEmit --extendedDiagnostics` (strict, NodeNext, skipLibCheck) of small consumers in `packages/bench/fixtures/typecheck/`: an empty file, the client with `@goapi/flux`, `@goapi/types` with every family package (one typed call each, generated from the spec examples), and `openai`. "Compared" is against the empty file.',
    `4. **Polling**: the client's real \`waitForTask\` (and a fixed ${r.polling?.fixedIntervalMs ?? 500} ms poller, as fal's and Replicate's clients do) with a simulated clock injected (\`wait({ clock })\`), for tasks whose duration is drawn uniformly within ±${Math.round((r.polling?.durationSpread ?? 0.1) * 100)}% of the nominal one; GETs per task (the create is not counted) and the lag from completion to the client seeing it. The ETA row gives \`wait()\` the task's duration prior (nominal, 90th percentile 8% over, as a spec entry would) and lets it learn across the scenario's tasks; the kind rows give only the kind's wide prior and learn nothing. A real run on the simulator with time scaled down (the simulator's latency, and a clock injected into \`wait()\` that runs as many times faster) checks the model; its lags are scaled back. At high scale factors the HTTP round trip, which is not scaled, makes the real fixed poller slower than the model.`,
    '5. **Scale**: one client (its own process) runs N `txt2img` calls at once on the simulator (another process). The floor is when the simulator completed its last task (creates queue up in it); the tail is how long after that the client had every result. Peak RSS is sampled every 20 ms. Handles are `process.getActiveResourcesInfo()` entries left over right after the last task, compared with before; the process then has to exit by itself.',
    '6. **Codegen and build**: wall time of `pnpm generate --check` (bundle, lint, validate the spec and regenerate every file in memory) and of `pnpm build` after one untimed warm-up build.',
    "7. **Batch**: `@goapi/batch` (`runBatch` with a SQLite journal, its own process) runs N `txt2img` rows on the simulator (another process) whose account allows L tasks at once, each taking D ms; no `--concurrency` is given, so the batch starts from the account's `max_concurrent_task_count`. The floor is ceil(N / L) × D: no client can finish sooner. RSS is sampled after each tenth of the rows; its growth from 20 % to 100 % is scaled to 10,000 rows (flat = about 0). The journal line times the four writes each row costs (submitting with compare-and-set, task claim, running, completed) on a temporary SQLite file, against the in-memory store, and the fsync of the WAL that a create waits for (one fsync serves every row waiting).",
    '',
    '## Reproduce',
    '',
    '```sh',
    'pnpm install',
    'pnpm bench                   # builds, runs everything (about 9 minutes on an idle 2-core machine), writes this file',
    'pnpm bench --only polling    # one or more of: overhead, bundle, typecheck, polling, scale, codegen, batch (prints only)',
    '```',
    '',
    'Timings depend on the machine and on whatever else runs on it: compare runs from the same machine.',
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
        ['Load average at start (1, 5, 15 min)', m.loadAverageAtStart.map((n) => n.toFixed(2)).join(', ')],
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

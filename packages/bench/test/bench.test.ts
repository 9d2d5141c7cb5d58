// Each measurement in a tiny configuration: checks the shape of what it returns, so the bench
// cannot rot unnoticed. No assertion here depends on how fast anything ran.
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { measureBatch } from '../src/batch.js'
import { familyPackages, measureBundles } from '../src/bundle.js'
import { measureCodegen, parseTurboCached } from '../src/codegen.js'
import { measureOverhead } from '../src/overhead.js'
import { REPO_ROOT } from '../src/paths.js'
import { DEFAULT_POLLING_SCENARIOS, measurePolling, POLLERS } from '../src/polling.js'
import { benchmarksMarkdown, mainTable, printedReport, rows, type BenchResults } from '../src/report.js'
import { GOALS, goalRows } from '../src/goals.js'
import { imagine } from '@goapi/midjourney'
import { videoGeneration } from '@goapi/kling'
import { measureScale } from '../src/scale.js'
import { mean, seeded, stat } from '../src/stats.js'
import { measureTypecheck, parseDiagnostics, writeAllFamiliesFixture } from '../src/typecheck.js'
import { emptyResults } from './results.js'

const results: BenchResults = emptyResults()
const SLOW = { timeout: 180_000 }

describe('stats', () => {
  it('summarizes with median, min and max', () => {
    expect(stat([5, 1, 3])).toEqual({ median: 3, min: 1, max: 5, runs: 3 })
    expect(stat([4, 1, 3, 2]).median).toBe(2.5)
    expect(() => stat([])).toThrow()
    expect(mean([1, 2, 6])).toBe(3)
  })
  it('has a seeded generator that repeats', () => {
    const a = seeded(7)
    const b = seeded(7)
    const first = [a(), a(), a()]
    expect([b(), b(), b()]).toEqual(first)
    for (const x of first) expect(x >= 0 && x < 1).toBe(true)
  })
})

describe('measurements in a tiny configuration', () => {
  it('overhead: create+get through fetch, openapi-fetch and the client, CPU and wall', SLOW, async () => {
    const o = await measureOverhead({ calls: 5, rounds: 2, warmup: 1 })
    for (const side of [o.loopback, o.inMemory]) {
      for (const f of [side.cpu, side.wall]) {
        for (const v of ['fetch', 'openapi-fetch', 'goapi'] as const) {
          expect(f.perCallUs[v].runs).toBe(2)
          expect(f.perCallUs[v].median).toBeGreaterThan(0)
        }
        expect(f.ratioToFetch.fetch).toBe(1)
        expect(f.extraUs.fetch).toBe(0)
      }
    }
    results.overhead = o
  })

  it('bundle: sizes the consumers, a family and the type-only consumer (0 bytes of ours)', SLOW, async () => {
    const b = await measureBundles({ consumers: ['fetch', 'goapi', 'goapi-proxy'], families: ['flux'], vite: true })
    expect(b.consumers.goapi?.ours).toBeGreaterThan(0)
    expect(b.consumers.goapi?.ratioToGoapi).toBe(1)
    expect(b.consumers.fetch?.ours).toBe(0)
    expect(b.consumers['goapi-proxy']?.ours).toBeGreaterThan(0)
    expect(b.consumers.fetch?.gzip).toBeLessThan(b.consumers.goapi?.gzip ?? 0)
    expect(b.families.map((f) => f.name)).toEqual(['flux'])
    expect(b.families[0]?.own.ours).toBeGreaterThan(0)
    expect(b.typeOnly.esbuild.ours).toBe(0)
    expect(b.typeOnly.vite?.ours).toBe(0)
    results.bundle = b
  })

  it('bundle: the bench depends on every family package, so all of them are sized', async () => {
    const catalog = JSON.parse(readFileSync(path.join(REPO_ROOT, 'packages/spec/catalog.json'), 'utf8')) as {
      families: { name: string }[]
    }
    const withPackage = catalog.families
      .map((f) => f.name)
      .filter((name) => existsSync(path.join(REPO_ROOT, 'packages', name, 'package.json')))
    expect(await familyPackages()).toEqual(withPackage)
  })

  it('typecheck: parses --extendedDiagnostics and checks the fixtures', SLOW, async () => {
    const d = parseDiagnostics(
      'Files:  64\nTypes:  85\nInstantiations:  12\nMemory used:  58000K\nCheck time:  0.01s\nTotal time:  1.20s\n',
    )
    expect(d).toEqual({ files: 64, types: 85, instantiations: 12, memoryKb: 58000, checkTimeS: 0.01, totalTimeS: 1.2 })
    const t = await measureTypecheck({ fixtures: ['flux', 'all-families'], runs: 1 })
    expect(t.rows.map((r) => r.fixture)).toEqual(['flux', 'all-families'])
    for (const row of t.rows) {
      expect(row.instantiations).toBeGreaterThan(0)
      expect(row.checkTimeS.runs).toBe(1)
      expect(row.extra.instantiations).toBeGreaterThan(0)
    }
    results.typecheck = t
  })

  it('typecheck: the generated consumer imports every family package', async () => {
    const source = readFileSync(path.join(await writeAllFamiliesFixture(), 'index.ts'), 'utf8')
    for (const name of await familyPackages()) expect(source).toContain(`from '@goapi/${name}'`)
  })

  it('polling: every poller in simulated time, through the generated task functions', SLOW, async () => {
    const p = await measurePolling({ scenarios: DEFAULT_POLLING_SCENARIOS, trials: 3 })
    expect(p.rows.map((r) => `${r.scenario} ${r.poller}`)).toEqual(
      DEFAULT_POLLING_SCENARIOS.flatMap((s) => POLLERS.map((poller) => `${s.name} ${poller}`)),
    )
    for (const row of p.rows) {
      expect(row.requests.runs).toBe(3)
      expect(row.requests.min).toBeGreaterThanOrEqual(1)
      expect(row.lagMs.min).toBeGreaterThanOrEqual(0)
    }
    // The priors are the generated functions' (from the spec), not the bench's.
    expect(DEFAULT_POLLING_SCENARIOS.map((s) => s.prior)).toEqual([imagine.duration, videoGeneration.duration])
    results.polling = p
  })

  it('scale: the client run and its raw-fetch replay, the same requests', SLOW, async () => {
    const s = await measureScale({ tasks: 5, runs: 1, taskMs: 30 })
    const pair = s.pairs[0]
    expect(pair?.client.completed).toBe(5)
    expect(pair?.client.failed).toBe(0)
    expect(pair?.client.lagsMs).toHaveLength(5)
    expect(pair?.client.requests.create).toBe(5)
    expect(pair?.client.requests.get).toBeGreaterThanOrEqual(5)
    // The replay sends exactly the schedule the client run recorded.
    expect(pair?.fetch.requests).toEqual(pair?.client.requests)
    expect(s.cpuRatio).toBeGreaterThan(0)
    expect(typeof s.client.newResources.median).toBe('number')
    results.scale = s
  })

  it('codegen: times commands and reads turbo cache summaries', SLOW, async () => {
    expect(parseTurboCached(' Tasks:    35 successful, 35 total\nCached:    33 cached, 35 total\n')).toEqual({
      cached: 33,
      total: 35,
    })
    const c = await measureCodegen({
      runs: 2,
      commands: [
        {
          name: 'node',
          command: process.execPath,
          args: ['-e', 'console.log("Cached:    3 cached, 4 total")'],
          warmup: true,
        },
      ],
    })
    expect(c.commands[0]?.wallMs.runs).toBe(2)
    expect(c.commands[0]?.turboCached).toEqual({ cached: 3, total: 4 })
    results.codegen = c
  })

  it('batch: runBatch with a SQLite journal under an account limit, and the journal cost', SLOW, async () => {
    const b = await measureBatch({
      rows: 20,
      limit: 5,
      latency: { pendingMs: 10, processingMs: 20 },
      pollMs: 10,
      journalRows: 200,
    })
    expect(b.completed).toBe(20)
    expect(b.creates).toBe(20)
    expect(b.floorMs).toBe(4 * 30)
    expect(b.wallToFloor).toBeGreaterThan(0)
    expect(b.journalUsPerRow.sqlite.runs).toBe(3)
    expect(b.flushMs.runs).toBe(3)
    results.batch = b
  })

  it('report: one table row per figure, and BENCHMARKS.md around it', () => {
    const table = rows(results)
    expect(table.length).toBeGreaterThan(10)
    for (const r of table) for (const cell of Object.values(r)) expect(cell.length).toBeGreaterThan(0)
    expect(mainTable(results).split('\n')).toHaveLength(table.length + 2)
    const md = benchmarksMarkdown(results)
    expect(md).toContain('# Benchmarks')
    expect(md).toContain('@goapi/flux')
    expect(md).toContain('## Machine')
    expect(table.some((r) => r.measure.startsWith('7. batch'))).toBe(true)
    expect(md.indexOf('## Goals')).toBeLessThan(md.indexOf('## Details'))
    expect(printedReport(results)).toContain('## Goals')
    // Every goal is measured by some part of the bench: here all but the replicate ratio (not
    // bundled in this tiny run) and `pnpm generate --check` (stood in for by a node one-liner).
    expect(goalRows(results)).toHaveLength(GOALS.length - 2)
  })
})

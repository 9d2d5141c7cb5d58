// `pnpm bench`: runs every measurement, prints the goals and then every figure, writes
// BENCHMARKS.md and results/latest.json.
//   --only a,b   runs only those measurements (bundle, typecheck, overhead, polling, scale, codegen,
//                batch) and prints their tables without writing any file.
//   --small      tiny sizes (to check the harness quickly; the figures mean little); prints only.
import { execFileSync } from 'node:child_process'
import { mkdir, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { format, resolveConfig } from 'prettier'
import { measureBatch } from './batch.js'
import { measureBundles } from './bundle.js'
import { measureCodegen, pnpmCommand } from './codegen.js'
import { measureOverhead } from './overhead.js'
import { BENCH_DIR, REPO_ROOT } from './paths.js'
import { DEFAULT_POLLING_SCENARIOS, measurePolling } from './polling.js'
import { benchmarksMarkdown, printedReport, type BenchResults, type MachineInfo } from './report.js'
import { measureScale } from './scale.js'
import { measureTypecheck } from './typecheck.js'

const RETRY_PAUSE_MS = 20_000

export const SECTIONS = ['bundle', 'typecheck', 'overhead', 'polling', 'scale', 'codegen', 'batch'] as const
export type Section = (typeof SECTIONS)[number]

function quiet(command: string, args: readonly string[]): string {
  try {
    return execFileSync(command, args, { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
  } catch {
    return 'unknown'
  }
}

function machine(): MachineInfo {
  const commit = quiet('git', ['rev-parse', '--short', 'HEAD'])
  return {
    cpu: os.cpus()[0]?.model.trim() ?? 'unknown',
    cores: os.availableParallelism(),
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    pnpm: quiet(pnpmCommand().command, [...pnpmCommand().args, '--version']),
    commit: commit === 'unknown' ? 'none yet' : commit,
    loadAverageAtStart: os.loadavg(),
  }
}

async function pretty(file: string, text: string): Promise<string> {
  const config = (await resolveConfig(file)) ?? {}
  return format(text, { ...config, filepath: file })
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { only: { type: 'string' }, small: { type: 'boolean' } } })
  const only = values.only?.split(',').map((s) => s.trim())
  const small = values.small === true
  for (const s of only ?? [])
    if (!SECTIONS.includes(s as Section)) throw new Error(`unknown measurement "${s}" (one of: ${SECTIONS.join(', ')})`)
  const wanted = (s: Section) => !only || only.includes(s)

  const results: BenchResults = { schema: 2, date: new Date().toISOString(), machine: machine(), sectionSeconds: {} }
  const section = async <K extends Section>(name: K, run: () => Promise<NonNullable<BenchResults[K]>>) => {
    if (!wanted(name)) return
    for (let attempt = 1; ; attempt++) {
      process.stderr.write(`bench: ${name}...`)
      const started = performance.now()
      try {
        results[name] = (await run()) as BenchResults[K]
      } catch (error) {
        // Another build replacing dist/ files mid-run is the usual cause: try once more.
        process.stderr.write(` failed: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}\n`)
        if (attempt >= 2) throw error
        await new Promise((resolve) => setTimeout(resolve, RETRY_PAUSE_MS))
        continue
      }
      const seconds = (performance.now() - started) / 1000
      results.sectionSeconds[name] = Math.round(seconds * 10) / 10
      process.stderr.write(` ${seconds.toFixed(1)} s\n`)
      return
    }
  }

  // Cheapest first; sizes and type counts do not depend on the machine's load.
  await section('bundle', () => measureBundles())
  await section('typecheck', () => measureTypecheck({ runs: small ? 1 : 3 }))
  await section('overhead', () =>
    measureOverhead(small ? { calls: 20, rounds: 3, warmup: 20 } : { calls: 200, rounds: 15, warmup: 200 }),
  )
  await section('polling', () => measurePolling({ scenarios: DEFAULT_POLLING_SCENARIOS, trials: small ? 10 : 100 }))
  await section('scale', () => measureScale({ tasks: small ? 50 : 1000, runs: small ? 1 : 3, taskMs: 2000 }))
  await section('codegen', () => measureCodegen({ runs: small ? 1 : 3 }))
  await section('batch', () =>
    measureBatch({
      rows: small ? 200 : 10_000,
      limit: 50,
      latency: { pendingMs: 250, processingMs: 750 },
      pollMs: 50,
      journalRows: small ? 500 : 10_000,
    }),
  )

  results.machine.loadAverageAtEnd = os.loadavg()
  console.log(printedReport(results))
  if (only || small) return
  // Per-task lags are summarized already; keep the raw file small enough to diff.
  const raw = results.scale
    ? {
        ...results,
        scale: {
          ...results.scale,
          pairs: results.scale.pairs.map((p) => ({
            client: { ...p.client, lagsMs: undefined },
            fetch: { ...p.fetch, lagsMs: undefined },
          })),
        },
      }
    : results
  const json = path.join(BENCH_DIR, 'results', 'latest.json')
  await mkdir(path.dirname(json), { recursive: true })
  await writeFile(json, await pretty(json, JSON.stringify(raw)))
  const md = path.join(REPO_ROOT, 'BENCHMARKS.md')
  await writeFile(md, await pretty(md, benchmarksMarkdown(results)))
  console.log(`\nwrote ${path.relative(REPO_ROOT, md)} and ${path.relative(REPO_ROOT, json)}`)
}

await main()

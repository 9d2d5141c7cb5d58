// (5) Scale: one client drives N concurrent tasks to completion on the simulator (its own
// process): wall time against the simulator's floor, peak RSS growth, handles left afterwards.
import { performance } from 'node:perf_hooks'
import { startMockProcess, startWorker } from './child.js'
import { stat, type Stat } from './stats.js'

export interface ScaleOptions {
  tasks: number
  runs: number
  /** Simulated task duration; the floor no client can beat. */
  latency: { pendingMs: number; processingMs: number }
}

/** What one run of the worker reports. */
export interface ScaleSample {
  tasks: number
  completed: number
  failed: number
  firstError?: string
  wallMs: number
  /** When the simulator completed the last task, from the start, ms. */
  lastCompletionMs: number
  /** Per task: completion → the client sees it, ms. */
  lagsMs: number[]
  requests: { create: number; get: number; other: number }
  rssBeforeMb: number
  rssPeakMb: number
  /** Active resources (process.getActiveResourcesInfo) more than before the run, by type. */
  handlesLeft: Record<string, number>
  /** Time from its report until the worker process exited by itself, ms. */
  exitAfterMs?: number
}

export interface ScaleResult {
  options: ScaleOptions
  /** One task's simulated duration (pending + processing). */
  taskMs: number
  /** The simulator's own floor: when it completed the last task (creates queue up), from the start. */
  floorMs: Stat
  /** From the start until the client has every task completed. */
  wallMs: Stat
  /** Median over runs of wall time / floor. */
  wallToFloor: number
  /** Wall time minus floor: how late the client noticed the last completion. */
  tailMs: Stat
  lagMs: Stat
  getsPerTask: Stat
  rssGrowthMb: Stat
  /** Sum of handles left over all types, per run. */
  handlesLeft: Stat
  exitAfterMs: Stat
  samples: ScaleSample[]
}

const EXIT_GRACE_MS = 15_000

async function once(options: ScaleOptions): Promise<ScaleSample> {
  const mock = await startMockProcess(options.latency)
  try {
    const worker = startWorker('scale-client', [
      JSON.stringify({
        url: mock.url,
        tasks: options.tasks,
        taskMs: options.latency.pendingMs + options.latency.processingMs,
      }),
    ])
    const sample = await worker.next<ScaleSample>()
    const reported = performance.now()
    const timer = setTimeout(() => worker.process.kill(), EXIT_GRACE_MS)
    await worker.exited
    clearTimeout(timer)
    return { ...sample, exitAfterMs: performance.now() - reported }
  } finally {
    await mock.close()
  }
}

export async function measureScale(options: ScaleOptions): Promise<ScaleResult> {
  const samples: ScaleSample[] = []
  for (let i = 0; i < options.runs; i++) samples.push(await once(options))
  return {
    options,
    taskMs: options.latency.pendingMs + options.latency.processingMs,
    floorMs: stat(samples.map((s) => s.lastCompletionMs)),
    wallMs: stat(samples.map((s) => s.wallMs)),
    wallToFloor: stat(samples.map((s) => s.wallMs / s.lastCompletionMs)).median,
    tailMs: stat(samples.map((s) => s.wallMs - s.lastCompletionMs)),
    lagMs: stat(samples.flatMap((s) => s.lagsMs)),
    getsPerTask: stat(samples.map((s) => s.requests.get / Math.max(1, s.completed))),
    rssGrowthMb: stat(samples.map((s) => s.rssPeakMb - s.rssBeforeMb)),
    handlesLeft: stat(samples.map((s) => Object.values(s.handlesLeft).reduce((a, b) => a + b, 0))),
    exitAfterMs: stat(samples.map((s) => s.exitAfterMs ?? Number.NaN)),
    samples,
  }
}

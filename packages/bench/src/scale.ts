// (5) Scale: one client (its own process) runs N concurrent txt2img tasks of D ms on the canned
// server (another process), and records when it sent each request. A second process then sends
// the same requests at the same moments with hand-written fetch calls (the baseline): the same
// number of GETs, at the same offsets from the start. Both are measured alike: CPU of the process
// during the burst, peak RSS growth, how late the last completion is noticed, and the handles and
// timers that are new after the burst (not those present before it).
import { performance } from 'node:perf_hooks'
import type { BurstFigures, TaskSchedule } from './burst.js'
import { startCannedProcess, startWorker } from './child.js'
import { stat, type Stat } from './stats.js'

export interface ScaleOptions {
  tasks: number
  /** Pairs of runs (client, then its replay). */
  runs: number
  /** How long after its creation the canned server reports a task completed. */
  taskMs: number
}

export interface ScaleSide extends BurstFigures {
  /** From its report until the worker process exited by itself, ms. */
  exitAfterMs: number
}

export interface ScalePair {
  client: ScaleSide
  fetch: ScaleSide
}

export interface ScaleSideSummary {
  cpuMs: Stat
  wallMs: Stat
  /** Wall time minus when the server completed the last task. */
  tailMs: Stat
  lagMs: Stat
  getsPerTask: Stat
  rssGrowthMb: Stat
  /** Sum of the new resources, per run. */
  newResources: Stat
  exitAfterMs: Stat
}

export interface ScaleResult {
  options: ScaleOptions
  client: ScaleSideSummary
  fetch: ScaleSideSummary
  /** Medians over the pairs of client / replay. */
  cpuRatio: number
  rssGrowthRatio: number
  /** Replay tasks whose last GET did not see the task completed (0 when the replay is faithful). */
  replayIncomplete: number
  pairs: ScalePair[]
}

const EXIT_GRACE_MS = 15_000

async function side(
  name: 'scale-client' | 'scale-replay',
  options: ScaleOptions,
  schedule?: TaskSchedule[],
): Promise<{ side: ScaleSide; schedule?: TaskSchedule[] }> {
  const server = await startCannedProcess({ completeAfterMs: options.taskMs })
  try {
    const worker = startWorker(name, [
      JSON.stringify({ url: server.url, tasks: options.tasks, taskMs: options.taskMs }),
    ])
    if (schedule) worker.send({ url: server.url, schedule })
    const report = await worker.next<{ figures: BurstFigures; schedule?: TaskSchedule[] }>()
    const reported = performance.now()
    const timer = setTimeout(() => worker.process.kill(), EXIT_GRACE_MS)
    await worker.exited
    clearTimeout(timer)
    return {
      side: { ...report.figures, exitAfterMs: performance.now() - reported },
      ...(report.schedule ? { schedule: report.schedule } : {}),
    }
  } finally {
    await server.close()
  }
}

const total = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0)
const growth = (s: ScaleSide) => s.rssPeakMb - s.rssBeforeMb

function summary(sides: ScaleSide[]): ScaleSideSummary {
  return {
    cpuMs: stat(sides.map((s) => s.cpuMs)),
    wallMs: stat(sides.map((s) => s.wallMs)),
    tailMs: stat(sides.map((s) => s.wallMs - s.lastCompletionMs)),
    lagMs: stat(sides.flatMap((s) => (s.lagsMs.length ? s.lagsMs : [Number.NaN]))),
    getsPerTask: stat(sides.map((s) => s.requests.get / Math.max(1, s.tasks))),
    rssGrowthMb: stat(sides.map(growth)),
    newResources: stat(sides.map((s) => total(s.newResources))),
    exitAfterMs: stat(sides.map((s) => s.exitAfterMs)),
  }
}

export async function measureScale(options: ScaleOptions): Promise<ScaleResult> {
  const pairs: ScalePair[] = []
  for (let i = 0; i < options.runs; i++) {
    const client = await side('scale-client', options)
    if (!client.schedule) throw new Error('the scale client reported no schedule')
    const replay = await side('scale-replay', options, client.schedule)
    pairs.push({ client: client.side, fetch: replay.side })
  }
  return {
    options,
    client: summary(pairs.map((p) => p.client)),
    fetch: summary(pairs.map((p) => p.fetch)),
    cpuRatio: stat(pairs.map((p) => p.client.cpuMs / p.fetch.cpuMs)).median,
    rssGrowthRatio: stat(pairs.map((p) => growth(p.client) / Math.max(growth(p.fetch), 0.1))).median,
    replayIncomplete: pairs.reduce((n, p) => n + (p.fetch.tasks - p.fetch.completed), 0),
    pairs,
  }
}

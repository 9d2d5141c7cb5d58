// (4) Polling efficiency, in simulated time: how many GETs a task costs and how late its completion
// is noticed. Each simulated task runs the generated task function (so `wait()` gets the kind and
// the spec's `x-goapi-task.duration` prior exactly as a user's call does) through a real client
// whose fetch answers in memory with the canned envelopes, and whose wait has a simulated clock
// injected (`clock`): minutes pass in milliseconds, and nothing sleeps. A fixed 500 ms poller (what
// fal's and Replicate's clients do) runs on the same clock and server for comparison.
import {
  createClient,
  DurationEstimates,
  taskState,
  type GoApiClient,
  type TaskDuration,
  type TaskKind,
  type UntypedTask,
  type WaitOptions,
} from '@goapi/client'
import { videoGeneration } from '@goapi/kling'
import { imagine } from '@goapi/midjourney'
import { countingFetch } from './burst.js'
import { CANNED_KEY, CannedTasks, cannedFetch } from './canned.js'
import { SimClock } from './sim-clock.js'
import { mean, seeded, stat, type Stat } from './stats.js'

export const POLLERS = ['goapi', 'goapi-learned', 'fixed-500ms'] as const
/**
 * 'goapi': each task in a fresh process (the spec's prior alone); 'goapi-learned': a process that
 * has already seen WARMUP_TASKS tasks of the pair complete, so the prior is refined by them.
 */
export type Poller = (typeof POLLERS)[number]
export const FIXED_INTERVAL_MS = 500
/** Tasks of the pair that completed in the process before the measured ones, for 'goapi-learned'. */
export const WARMUP_TASKS = 10
/** Task durations are drawn uniformly from nominal × (1 ± this), from a seeded generator. */
export const DURATION_SPREAD = 0.1

type Wait = Pick<WaitOptions, 'clock' | 'durations'>

export interface PollingScenario {
  /** Which goal row it is (`image`, `video`). */
  name: string
  /** The generated task function called, e.g. `@goapi/midjourney imagine`. */
  task: string
  /** Nominal task duration (creation → completion), ms. */
  durationMs: number
  kind: TaskKind
  /** The prior the generated function passes (from the spec), if any. */
  prior: TaskDuration | undefined
  /** Runs the generated function: create, then wait with these options. */
  run: (client: GoApiClient, wait: Wait) => Promise<UntypedTask>
}

export const DEFAULT_POLLING_SCENARIOS: readonly PollingScenario[] = [
  {
    name: 'image',
    task: '@goapi/midjourney imagine',
    durationMs: 60_000,
    kind: imagine.kind,
    prior: imagine.duration,
    run: (client, wait) => imagine(client, { prompt: 'flying night city' }, wait),
  },
  {
    name: 'video',
    task: '@goapi/kling videoGeneration',
    durationMs: 300_000,
    kind: videoGeneration.kind,
    prior: videoGeneration.duration,
    run: (client, wait) => videoGeneration(client, { prompt: 'White egrets fly over the vast paddy fields' }, wait),
  },
]

export interface PollingOptions {
  scenarios: readonly PollingScenario[]
  /** Simulated tasks per (scenario, poller). */
  trials: number
  seed?: number
}

export interface PollingFigures {
  /** GET requests per task (the create is not counted). */
  requests: Stat
  meanRequests: number
  /** Completion → the caller has the task, ms. */
  lagMs: Stat
  meanLagMs: number
}

export interface PollingRow extends PollingFigures {
  scenario: string
  task: string
  durationMs: number
  kind: TaskKind
  prior: TaskDuration | undefined
  poller: Poller
}

export interface PollingResult {
  fixedIntervalMs: number
  /** Tasks of the pair completed in the process before the measured ones ('goapi-learned'). */
  warmupTasks: number
  durationSpread: number
  trials: number
  rows: PollingRow[]
}

/** What fal's and Replicate's clients do: check every `intervalMs` until the task is done. */
async function fixedPoller(client: GoApiClient, clock: SimClock): Promise<UntypedTask> {
  const created = await client.createUntypedTask({ model: 'Qubico/flux1-schnell', task_type: 'txt2img', input: {} })
  for (;;) {
    await clock.sleep(FIXED_INTERVAL_MS)
    const task = await client.getTask(created.task_id)
    const state = taskState(task.status)
    if (state === 'completed') return task
    if (state === 'failed') throw new Error(`task ${task.task_id} failed`)
  }
}

/** One task that completes `completeAfterMs` after its creation, in simulated time. */
export async function simulateTask(
  scenario: PollingScenario,
  poller: Poller,
  completeAfterMs: number,
  learned: DurationEstimates,
): Promise<{ requests: number; lagMs: number }> {
  const clock = new SimClock()
  const requests = { create: 0, get: 0, other: 0 }
  const client = createClient({
    apiKey: CANNED_KEY,
    baseUrl: 'http://goapi.invalid',
    fetch: countingFetch(requests, cannedFetch(new CannedTasks(completeAfterMs, () => clock.now()))),
  })
  let finished = false
  let seenAt = Number.NaN
  const job = (
    poller === 'fixed-500ms'
      ? fixedPoller(client, clock)
      : scenario.run(client, { clock, durations: poller === 'goapi' ? new DurationEstimates() : learned })
  ).then(() => {
    seenAt = clock.now()
  })
  void job.then(
    () => (finished = true),
    () => (finished = true),
  )
  await clock.runUntil(() => finished)
  await job
  // The task was created at time 0 of the simulated clock.
  return { requests: requests.get, lagMs: seenAt - completeAfterMs }
}

/** `count` task durations around `nominalMs`, the same for every poller. */
export function durations(nominalMs: number, count: number, seed: number): number[] {
  const random = seeded(seed)
  return Array.from({ length: count }, () =>
    Math.round(nominalMs * (1 - DURATION_SPREAD + 2 * DURATION_SPREAD * random())),
  )
}

export async function measurePolling(options: PollingOptions): Promise<PollingResult> {
  const rows: PollingRow[] = []
  const seed = options.seed ?? 1
  const saved = Math.random
  try {
    for (const scenario of options.scenarios) {
      for (const poller of POLLERS) {
        // The client's jitter uses Math.random: seeded too, so every run simulates the same tasks.
        Math.random = seeded(seed + 1000)
        const learned = new DurationEstimates()
        // 'goapi-learned' is the steady state of a process: it has already seen WARMUP_TASKS tasks of
        // the pair complete (not counted), then the measured ones.
        if (poller === 'goapi-learned')
          for (const ms of durations(scenario.durationMs, WARMUP_TASKS, seed + 7))
            await simulateTask(scenario, poller, ms, learned)
        const samples: { requests: number; lagMs: number }[] = []
        for (const ms of durations(scenario.durationMs, options.trials, seed))
          samples.push(await simulateTask(scenario, poller, ms, learned))
        const requests = samples.map((s) => s.requests)
        const lags = samples.map((s) => s.lagMs)
        rows.push({
          scenario: scenario.name,
          task: scenario.task,
          durationMs: scenario.durationMs,
          kind: scenario.kind,
          prior: scenario.prior,
          poller,
          requests: stat(requests),
          meanRequests: mean(requests),
          lagMs: stat(lags),
          meanLagMs: mean(lags),
        })
      }
    }
  } finally {
    Math.random = saved
  }
  return {
    fixedIntervalMs: FIXED_INTERVAL_MS,
    warmupTasks: WARMUP_TASKS,
    durationSpread: DURATION_SPREAD,
    trials: options.trials,
    rows,
  }
}

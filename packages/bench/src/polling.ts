// (4) Polling efficiency: how many GETs a task costs and how late completion is noticed, for our
// wait() (with the task's duration prior, as the spec gives it; and with only the kind's wide
// prior) and for a fixed 500 ms poller (what fal's and Replicate's clients do). The model runs the
// client's real `waitForTask` with a simulated clock injected (minutes in milliseconds); a real run
// on the simulator, with time scaled down, checks the model.
import {
  createClient,
  DurationEstimates,
  taskState,
  waitForTask,
  type Clock,
  type GoApiClient,
  type TaskDuration,
  type TaskKind,
  type UntypedTask,
} from '@goapi/client'
import { SimClock } from './sim-clock.js'
import { SpecIndex, startMock, type MockServer } from '@goapi/mock'
import { seeded, stat, type Stat } from './stats.js'

export const POLLERS = ['goapi-eta', 'goapi-image', 'goapi-video', 'fixed-500ms'] as const
export type Poller = (typeof POLLERS)[number]
/** 'goapi-eta': the task's prior (nominal, p90 8% over: the spread below); the others: the kind's. */
const KIND: Record<Exclude<Poller, 'fixed-500ms' | 'goapi-eta'>, TaskKind> = {
  'goapi-image': 'image',
  'goapi-video': 'video',
}
const kindOf = (poller: Poller, durationMs: number): TaskKind =>
  poller === 'goapi-image' || poller === 'goapi-video' ? KIND[poller] : durationMs >= 120_000 ? 'video' : 'image'
/** The prior a spec entry would give a task of this nominal duration. */
export const priorFor = (durationMs: number): TaskDuration => ({
  typicalMs: durationMs,
  p90Ms: Math.round(durationMs * 1.08),
})
const FIXED_INTERVAL_MS = 500
/** Task durations are drawn uniformly from nominal × (1 ± this), from a seeded generator. */
export const DURATION_SPREAD = 0.1

export interface PollingScenario {
  /** Nominal task duration (creation → completion), ms. */
  durationMs: number
  /** Real-run time scale: the simulator and every poll delay run this many times faster. */
  scale: number
}

export interface PollingOptions {
  scenarios: readonly PollingScenario[]
  /** Simulated tasks per (scenario, poller). */
  trials: number
  /** Real tasks per (scenario, poller) in the validation run, each on its own simulator; 0 skips it. */
  realTasks: number
  seed?: number
}

export interface PollingFigures {
  /** GET requests per task (the create is not counted). */
  requests: Stat
  /** Completion → the client sees it, ms. */
  lagMs: Stat
}

export interface PollingRow {
  durationMs: number
  poller: Poller
  model: PollingFigures
  /** The validation run on the simulator, lags scaled back to real time. */
  real?: PollingFigures & { scale: number; tasks: number }
}

export interface PollingResult {
  fixedIntervalMs: number
  durationSpread: number
  rows: PollingRow[]
}

type Get = (id: string) => Promise<UntypedTask>

function fakeTask(id: string, status: string): UntypedTask {
  return {
    task_id: id,
    model: 'Qubico/flux1-schnell',
    task_type: 'txt2img',
    status,
    output: status === 'completed' ? { image_url: 'https://example.com/x.png' } : null,
  } as UntypedTask
}

const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** What fal's and Replicate's clients do: check every `intervalMs` until the task is done. */
export async function fixedPoller(
  get: Get,
  id: string,
  intervalMs: number,
  sleep: (ms: number) => Promise<void> = realSleep,
): Promise<UntypedTask> {
  for (;;) {
    await sleep(intervalMs)
    const task = await get(id)
    const state = taskState(task.status)
    if (state === 'completed') return task
    if (state === 'failed') throw new Error(`task ${id} failed`)
  }
}

/**
 * One simulated task with a simulated clock injected: returns GETs made and detection lag. The
 * ETA poller shares `learned` across a scenario's tasks (as one process would); the kind-only
 * pollers learn nothing, so their rows show the prior alone.
 */
async function simulate(
  poller: Poller,
  durationMs: number,
  completeAtMs: number,
  learned: DurationEstimates,
): Promise<{ requests: number; lagMs: number }> {
  const clock = new SimClock()
  let requests = 0
  const get: Get = async (id) => {
    requests++
    return fakeTask(id, clock.now() >= completeAtMs ? 'completed' : 'processing')
  }
  let seenAt = Number.NaN
  const wait = (c: Clock) =>
    waitForTask({ get, cancel: async () => undefined }, fakeTask('sim', 'pending'), {
      clock: c,
      kind: kindOf(poller, durationMs),
      ...(poller === 'goapi-eta'
        ? { duration: priorFor(durationMs), durations: learned }
        : { durations: new DurationEstimates() }),
    })
  const done =
    poller === 'fixed-500ms' ? fixedPoller(get, 'sim', FIXED_INTERVAL_MS, (ms) => clock.sleep(ms)) : wait(clock)
  const finished = done.then(() => {
    seenAt = clock.now()
  })
  await clock.run()
  await finished
  return { requests, lagMs: seenAt - completeAtMs }
}

function figures(samples: { requests: number; lagMs: number }[]): PollingFigures {
  return { requests: stat(samples.map((s) => s.requests)), lagMs: stat(samples.map((s) => s.lagMs)) }
}

/** `count` task durations around `nominalMs`, the same for every poller. */
export function durations(nominalMs: number, count: number, seed: number): number[] {
  const random = seeded(seed)
  return Array.from({ length: count }, () =>
    Math.round(nominalMs * (1 - DURATION_SPREAD + 2 * DURATION_SPREAD * random())),
  )
}

async function model(scenario: PollingScenario, poller: Poller, trials: number, seed: number): Promise<PollingFigures> {
  const samples: { requests: number; lagMs: number }[] = []
  const saved = Math.random
  const learned = new DurationEstimates()
  // The client's jitter uses Math.random: seed it too, so the model is the same on every run.
  Math.random = seeded(seed + 1000)
  try {
    for (const duration of durations(scenario.durationMs, trials, seed))
      samples.push(await simulate(poller, scenario.durationMs, duration, learned))
  } finally {
    Math.random = saved
  }
  return figures(samples)
}

/** Real time, `k` times faster: what the simulator does to task durations. */
function fastClock(k: number): Clock {
  const origin = Date.now()
  return {
    now: () => origin + (Date.now() - origin) * k,
    sleep: (ms, signal) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(resolve, ms / k)
        signal?.addEventListener('abort', () => (clearTimeout(timer), reject(signal.reason)), { once: true })
      }),
  }
}

/** Counts GETs per task id on their way to the simulator. */
function countingFetch(counts: Map<string, number>): typeof fetch {
  return (input: RequestInfo | URL, init?: RequestInit) => {
    const request = input instanceof Request ? input : undefined
    const method = (request?.method ?? init?.method ?? 'GET').toUpperCase()
    const url = request?.url ?? String(input)
    const m = /\/api\/v1\/task\/([^/?]+)/.exec(url)
    if (method === 'GET' && m?.[1]) {
      const id = decodeURIComponent(m[1])
      counts.set(id, (counts.get(id) ?? 0) + 1)
    }
    return globalThis.fetch(input, init)
  }
}

async function realRun(
  scenario: PollingScenario,
  tasks: number,
  spec: SpecIndex,
  seed: number,
): Promise<Map<Poller, PollingFigures & { tasks: number }>> {
  const k = scenario.scale
  const mocks: MockServer[] = []
  const counts = new Map<string, number>()
  try {
    for (const duration of durations(scenario.durationMs, tasks, seed)) {
      const total = duration / k
      mocks.push(
        await startMock({
          spec,
          latency: { pendingMs: Math.round(total * 0.1), processingMs: Math.round(total * 0.9) },
        }),
      )
    }
    const clients: GoApiClient[] = mocks.map((m) =>
      createClient({ apiKey: 'bench-key', baseUrl: m.url, fetch: countingFetch(counts) }),
    )
    const one = async (client: GoApiClient, poller: Poller) => {
      const task = await client.createTask({
        model: 'Qubico/flux1-schnell',
        task_type: 'txt2img',
        input: { prompt: 'a lighthouse at dusk' },
      })
      let done: UntypedTask
      if (poller === 'fixed-500ms') {
        done = await fixedPoller((id) => client.getTask(id), task.task_id, FIXED_INTERVAL_MS / k)
      } else {
        // The same schedule as the model, on a clock that runs k times faster than real time.
        done = await client.wait(task, {
          kind: kindOf(poller, scenario.durationMs),
          ...(poller === 'goapi-eta' ? { duration: priorFor(scenario.durationMs) } : {}),
          durations: new DurationEstimates(),
          clock: fastClock(k),
        })
      }
      const seenAt = Date.now()
      const endedAt = Date.parse(done.meta?.ended_at ?? '')
      if (!Number.isFinite(endedAt)) throw new Error(`task ${task.task_id} has no ended_at`)
      return { poller, requests: counts.get(task.task_id) ?? 0, lagMs: (seenAt - endedAt) * k }
    }
    const jobs: Promise<{ poller: Poller; requests: number; lagMs: number }>[] = []
    for (const client of clients) for (const poller of POLLERS) jobs.push(one(client, poller))
    const results = await Promise.all(jobs)
    const out = new Map<Poller, PollingFigures & { tasks: number }>()
    for (const poller of POLLERS) {
      const mine = results.filter((r) => r.poller === poller)
      out.set(poller, { ...figures(mine), tasks: mine.length })
    }
    return out
  } finally {
    await Promise.all(mocks.map((m) => m.close()))
  }
}

export async function measurePolling(options: PollingOptions): Promise<PollingResult> {
  const rows: PollingRow[] = []
  // All simulations first: the fake clock must not meet the real run's sockets and timers.
  for (const scenario of options.scenarios) {
    for (const poller of POLLERS) {
      rows.push({
        durationMs: scenario.durationMs,
        poller,
        model: await model(scenario, poller, options.trials, options.seed ?? 1),
      })
    }
  }
  if (options.realTasks > 0) {
    const spec = new SpecIndex()
    for (const scenario of options.scenarios) {
      const real = await realRun(scenario, options.realTasks, spec, options.seed ?? 1)
      for (const row of rows) {
        const r = row.durationMs === scenario.durationMs ? real.get(row.poller) : undefined
        if (r) row.real = { ...r, scale: scenario.scale }
      }
    }
  }
  return { fixedIntervalMs: FIXED_INTERVAL_MS, durationSpread: DURATION_SPREAD, rows }
}

export const DEFAULT_POLLING_SCENARIOS: readonly PollingScenario[] = [
  { durationMs: 5_000, scale: 2 },
  { durationMs: 60_000, scale: 5 },
  { durationMs: 300_000, scale: 10 },
]

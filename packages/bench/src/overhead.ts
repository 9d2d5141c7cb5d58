// (1) Per-call overhead: one create + one get, through @goapi/client, through bare openapi-fetch and
// through hand-written fetch calls. On loopback against the canned server in its own process (fixed
// envelopes: the server costs the same whoever calls it), and against an in-memory fetch (no
// network: what is left is the library's own cost). The client side runs in its own process too
// (workers/overhead-client.ts); per create+get it reports the CPU time of that process
// (process.cpuUsage, user + system) and the wall time. Variants take turns within each round.
import { performance } from 'node:perf_hooks'
import { createClient } from '@goapi/client'
import type { paths } from '@goapi/types'
import createFetchClient from 'openapi-fetch'
import { CANNED_KEY, CannedTasks, cannedFetch } from './canned.js'
import { startCannedProcess, startWorker } from './child.js'
import { stat, type Stat } from './stats.js'

export const VARIANTS = ['fetch', 'openapi-fetch', 'goapi'] as const
export type Variant = (typeof VARIANTS)[number]

export interface OverheadOptions {
  /** create+get pairs per variant per round. */
  calls: number
  /** Timed rounds (each variant once per round, in rotating order). */
  rounds: number
  /** Untimed pairs per variant before the first round. */
  warmup: number
}

export interface OverheadFigures {
  /** Per create+get pair, µs, over the rounds. */
  perCallUs: Record<Variant, Stat>
  /** Median divided by raw fetch's median. */
  ratioToFetch: Record<Variant, number>
  /** Median minus raw fetch's median, µs. */
  extraUs: Record<Variant, number>
}

export interface OverheadSide {
  /** CPU time of the client process (user + system). */
  cpu: OverheadFigures
  wall: OverheadFigures
}

export interface OverheadResult {
  options: OverheadOptions
  loopback: OverheadSide
  inMemory: OverheadSide
}

const BODY = { model: 'Qubico/flux1-schnell', task_type: 'txt2img', input: { prompt: 'a lighthouse at dusk' } } as const

type Pair = () => Promise<void>

export function makePairs(baseUrl: string, fetchImpl: typeof fetch): Record<Variant, Pair> {
  const goapi = createClient({ apiKey: CANNED_KEY, baseUrl, fetch: fetchImpl })
  const bare = createFetchClient<paths>({ baseUrl, fetch: fetchImpl, headers: { 'x-api-key': CANNED_KEY } })
  return {
    async fetch() {
      const created = await fetchImpl(`${baseUrl}/api/v1/task`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': CANNED_KEY },
        body: JSON.stringify(BODY),
      })
      const body = (await created.json()) as { data: { task_id: string } }
      if (!created.ok) throw new Error(`create failed: ${created.status}`)
      const got = await fetchImpl(`${baseUrl}/api/v1/task/${encodeURIComponent(body.data.task_id)}`, {
        headers: { 'x-api-key': CANNED_KEY },
      })
      await got.json()
      if (!got.ok) throw new Error(`get failed: ${got.status}`)
    },
    async 'openapi-fetch'() {
      const created = await bare.POST('/api/v1/task', { body: BODY })
      if (!created.data) throw new Error(`create failed: ${created.response.status}`)
      const got = await bare.GET('/api/v1/task/{task_id}', { params: { path: { task_id: created.data.data.task_id } } })
      if (!got.data) throw new Error(`get failed: ${got.response.status}`)
    },
    async goapi() {
      const task = await goapi.createTask(BODY)
      await goapi.getTask(task.task_id)
    },
  }
}

/** Per-round samples, µs per pair. */
export type Samples = Record<Variant, { cpuUs: number[]; wallUs: number[] }>

const cpuNow = () => {
  const c = process.cpuUsage()
  return c.user + c.system
}

/** Runs the rounds in this process: each variant once per round, the order rotating. */
export async function timePairs(pairs: Record<Variant, Pair>, options: OverheadOptions): Promise<Samples> {
  for (const variant of VARIANTS) for (let i = 0; i < options.warmup; i++) await pairs[variant]()
  const samples: Samples = {
    fetch: { cpuUs: [], wallUs: [] },
    'openapi-fetch': { cpuUs: [], wallUs: [] },
    goapi: { cpuUs: [], wallUs: [] },
  }
  for (let round = 0; round < options.rounds; round++) {
    for (let k = 0; k < VARIANTS.length; k++) {
      const variant = VARIANTS[(round + k) % VARIANTS.length] as Variant
      const pair = pairs[variant]
      const cpu0 = cpuNow()
      const wall0 = performance.now()
      for (let i = 0; i < options.calls; i++) await pair()
      samples[variant].wallUs.push(((performance.now() - wall0) * 1000) / options.calls)
      samples[variant].cpuUs.push((cpuNow() - cpu0) / options.calls)
    }
  }
  return samples
}

export function figures(perRound: Record<Variant, number[]>): OverheadFigures {
  const perCallUs = {
    fetch: stat(perRound.fetch),
    'openapi-fetch': stat(perRound['openapi-fetch']),
    goapi: stat(perRound.goapi),
  }
  const base = perCallUs.fetch.median
  const by = (f: (s: Stat) => number) => ({
    fetch: f(perCallUs.fetch),
    'openapi-fetch': f(perCallUs['openapi-fetch']),
    goapi: f(perCallUs.goapi),
  })
  return { perCallUs, ratioToFetch: by((s) => s.median / base), extraUs: by((s) => s.median - base) }
}

function side(samples: Samples): OverheadSide {
  const pick = (k: 'cpuUs' | 'wallUs') => ({
    fetch: samples.fetch[k],
    'openapi-fetch': samples['openapi-fetch'][k],
    goapi: samples.goapi[k],
  })
  return { cpu: figures(pick('cpuUs')), wall: figures(pick('wallUs')) }
}

/** What the overhead worker is asked to do. */
export interface OverheadJob {
  options: OverheadOptions
  /** The canned server's URL; the in-memory side needs none. */
  url: string
}

export interface OverheadReport {
  loopback: Samples
  inMemory: Samples
}

/** The worker's work: both sides, in its own process. */
export async function runOverheadJob(job: OverheadJob): Promise<OverheadReport> {
  const loopback = await timePairs(makePairs(job.url, globalThis.fetch), job.options)
  const inMemory = await timePairs(makePairs('http://goapi.invalid', cannedFetch(new CannedTasks(0))), job.options)
  return { loopback, inMemory }
}

export async function measureOverhead(options: OverheadOptions): Promise<OverheadResult> {
  const server = await startCannedProcess({ completeAfterMs: 0 })
  try {
    const worker = startWorker('overhead-client', [JSON.stringify({ options, url: server.url } satisfies OverheadJob)])
    const report = await worker.next<OverheadReport>()
    await worker.exited
    return { options, loopback: side(report.loopback), inMemory: side(report.inMemory) }
  } finally {
    await server.close()
  }
}

// (1) Per-call overhead: one create + one get, through our client, through bare openapi-fetch and
// through hand-written fetch calls, against the simulator on loopback (zero latency, own process),
// and against an in-memory fetch (no network at all: what is left is the library's own cost).
import { performance } from 'node:perf_hooks'
import { createClient } from '@goapi/client'
import type { paths } from '@goapi/types'
import createFetchClient from 'openapi-fetch'
import { startMockProcess } from './child.js'
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

export interface OverheadSide {
  /** Microseconds per create+get pair. */
  perCallUs: Record<Variant, Stat>
  /** Median per-call time divided by raw fetch's. */
  ratioToFetch: Record<Variant, number>
  /** Median extra microseconds per pair over raw fetch. */
  extraUs: Record<Variant, number>
}

export interface OverheadResult {
  options: OverheadOptions
  loopback: OverheadSide
  inMemory: OverheadSide
}

const KEY = 'bench-key'
const BODY = { model: 'Qubico/flux1-schnell', task_type: 'txt2img', input: { prompt: 'a lighthouse at dusk' } } as const

type Pair = () => Promise<void>

function makePairs(baseUrl: string, fetchImpl: typeof fetch): Record<Variant, Pair> {
  const goapi = createClient({ apiKey: KEY, baseUrl, fetch: fetchImpl })
  const bare = createFetchClient<paths>({ baseUrl, fetch: fetchImpl, headers: { 'x-api-key': KEY } })
  return {
    async fetch() {
      const created = await fetchImpl(`${baseUrl}/api/v1/task`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': KEY },
        body: JSON.stringify(BODY),
      })
      const body = (await created.json()) as { data: { task_id: string } }
      if (!created.ok) throw new Error(`create failed: ${created.status}`)
      const got = await fetchImpl(`${baseUrl}/api/v1/task/${encodeURIComponent(body.data.task_id)}`, {
        headers: { 'x-api-key': KEY },
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

/** A fetch that never leaves the process: answers create and get with canned simulator-shaped JSON. */
export function inMemoryFetch(): typeof fetch {
  let n = 0
  const task = (id: string) => ({
    code: 200,
    message: 'success',
    data: {
      task_id: id,
      model: BODY.model,
      task_type: BODY.task_type,
      status: 'pending',
      config: { service_mode: '', webhook_config: { endpoint: '', secret: '' } },
      input: BODY.input,
      output: null,
      meta: {
        created_at: '2025-01-01T00:00:00.000Z',
        started_at: '0001-01-01T00:00:00Z',
        ended_at: '0001-01-01T00:00:00Z',
      },
      detail: null,
      logs: [],
      error: { code: 0, message: '', raw_message: '', detail: null },
    },
  })
  return async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = input instanceof Request ? input : new Request(input, init)
    const url = new URL(request.url)
    if (request.method === 'POST') await request.text()
    const id = request.method === 'POST' ? `task-${++n}` : decodeURIComponent(url.pathname.split('/').pop() ?? '')
    return new Response(JSON.stringify(task(id)), { status: 200, headers: { 'content-type': 'application/json' } })
  }
}

async function timeSide(pairs: Record<Variant, Pair>, options: OverheadOptions): Promise<OverheadSide> {
  for (const variant of VARIANTS) for (let i = 0; i < options.warmup; i++) await pairs[variant]()
  const samples: Record<Variant, number[]> = { fetch: [], 'openapi-fetch': [], goapi: [] }
  for (let round = 0; round < options.rounds; round++) {
    for (let k = 0; k < VARIANTS.length; k++) {
      const variant = VARIANTS[(round + k) % VARIANTS.length] as Variant
      const pair = pairs[variant]
      const start = performance.now()
      for (let i = 0; i < options.calls; i++) await pair()
      samples[variant].push(((performance.now() - start) * 1000) / options.calls)
    }
  }
  const perCallUs = {
    fetch: stat(samples.fetch),
    'openapi-fetch': stat(samples['openapi-fetch']),
    goapi: stat(samples.goapi),
  }
  const base = perCallUs.fetch.median
  const by = (f: (s: Stat) => number) => ({
    fetch: f(perCallUs.fetch),
    'openapi-fetch': f(perCallUs['openapi-fetch']),
    goapi: f(perCallUs.goapi),
  })
  return { perCallUs, ratioToFetch: by((s) => s.median / base), extraUs: by((s) => s.median - base) }
}

export async function measureOverhead(options: OverheadOptions): Promise<OverheadResult> {
  const mock = await startMockProcess({ pendingMs: 0, processingMs: 0 })
  try {
    const loopback = await timeSide(makePairs(mock.url, globalThis.fetch), options)
    const inMemory = await timeSide(makePairs('http://goapi.invalid', inMemoryFetch()), options)
    return { options, loopback, inMemory }
  } finally {
    await mock.close()
  }
}

// The bench's own logic, without timing: the canned server's answers, the schedule the scale client
// records and its raw-fetch replay, what counts as a new resource, the simulated clock, the
// polling simulation (exact, because its time is simulated) and the goals table.
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { AbortError, DurationEstimates } from '@goapi/client'
import { buildSchedule, newResources, replaySchedule, snapshotResources } from '../src/burst.js'
import { CannedTasks, bodyText, cannedFetch, cannedHandler } from '../src/canned.js'
import { GOALS, goalRows, type Goal } from '../src/goals.js'
import { DEFAULT_POLLING_SCENARIOS, durations, measurePolling, simulateTask, WARMUP_TASKS } from '../src/polling.js'
import type { BenchResults } from '../src/report.js'
import { SimClock } from '../src/sim-clock.js'
import { emptyResults } from './results.js'

const base: BenchResults = emptyResults()

describe('canned server', () => {
  it('answers a created task as pending, processing, then completed with its end time', () => {
    let now = 1_000_000
    const tasks = new CannedTasks(2_000, () => now)
    const created = tasks.create(JSON.stringify({ model: 'Qubico/flux1-schnell', task_type: 'txt2img', input: {} }))
    expect(created.status).toBe(200)
    const id = (JSON.parse(created.body) as { data: { task_id: string; status: string } }).data.task_id
    const status = () => (JSON.parse(tasks.get(id).body) as { data: { status: string } }).data.status
    expect(status()).toBe('pending')
    now += 500
    expect(status()).toBe('processing')
    now += 1_500
    const done = JSON.parse(tasks.get(id).body) as { data: { status: string; meta: { ended_at: string } } }
    expect(done.data.status).toBe('completed')
    expect(Date.parse(done.data.meta.ended_at)).toBe(1_002_000)
    expect(tasks.get('nope').status).toBe(404)
    expect(tasks.create('{').status).toBe(400)
    expect(tasks.answer('DELETE', '/api/v1/task/x', '')).toBeUndefined()
  })

  it('reads a request body however a client passes it, and answers it in memory', async () => {
    const json = '{"model":"m","task_type":"t","input":{}}'
    const url = 'http://goapi.invalid/api/v1/task'
    expect(await bodyText(url, { method: 'POST', body: json })).toBe(json)
    expect(await bodyText(url, { method: 'POST', body: new TextEncoder().encode(json) })).toBe(json)
    const request = new Request(url, { method: 'POST', body: json })
    expect(await bodyText(request)).toBe(json)
    expect(await request.text()).toBe(json) // not consumed
    const fetchInMemory = cannedFetch(new CannedTasks(0))
    const created = await fetchInMemory(url, { method: 'POST', body: new TextEncoder().encode(json) })
    expect(((await created.json()) as { data: { status: string } }).data.status).toBe('completed')
  })
})

describe('scale schedule', () => {
  it('links each create to its task by index and times GETs by the task age', () => {
    const schedule = buildSchedule(
      new Map([
        [0, [5]],
        [1, [9, 7]], // retried: counted once, at its first send
      ]),
      new Map([
        ['a', [1_300, 1_100]],
        ['b', [2_000]],
      ]),
      [
        { id: 'a', createdAtMs: 1_000 },
        { id: 'b', createdAtMs: 1_500 },
      ],
    )
    expect(schedule).toEqual([
      { createAtMs: 5, getsAtAgeMs: [100, 300] },
      { createAtMs: 7, getsAtAgeMs: [500] },
    ])
    expect(() => buildSchedule(new Map(), new Map(), [{ id: 'a', createdAtMs: 0 }])).toThrow(/no create/)
  })

  let server: Server | undefined
  afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())))

  it('replays exactly the scheduled requests with raw fetch', async () => {
    const seen: string[] = []
    const tasks = new CannedTasks(0)
    const handler = cannedHandler(tasks)
    server = createServer((req, res) => {
      seen.push(`${req.method} ${req.url?.startsWith('/api/v1/task/') ? 'get' : 'create'}`)
      handler(req, res)
    })
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve))
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    const outcomes = await Promise.all(
      replaySchedule(
        [
          { createAtMs: 0, getsAtAgeMs: [0, 5, 10] },
          { createAtMs: 2, getsAtAgeMs: [] },
          { createAtMs: 1, getsAtAgeMs: [3] },
        ],
        url,
        performance.now(),
      ),
    )
    expect(seen.filter((s) => s === 'POST create')).toHaveLength(3)
    expect(seen.filter((s) => s === 'GET get')).toHaveLength(4)
    // A task completes at once here: seen completed by its last GET, unless it had none.
    expect(outcomes.map((o) => o.completed)).toEqual([true, false, true])
  })
})

describe('new resources', () => {
  it('counts handles by identity and timers by number, not what was there before', () => {
    class Socket {}
    const kept = new Socket()
    const before = { handles: new Set<unknown>([kept]), others: { Timeout: 2 } }
    const after = { handles: new Set<unknown>([kept, new Socket()]), others: { Timeout: 2, Immediate: 1 } }
    expect(newResources(before, after)).toEqual({ Socket: 1, Immediate: 1 })
    expect(newResources(after, before)).toEqual({})
  })

  it('sees a timer started after the first snapshot, and not once it is cleared', () => {
    const before = snapshotResources()
    const timer = setTimeout(() => undefined, 60_000)
    expect(newResources(before, snapshotResources()).Timeout).toBe(1)
    clearTimeout(timer)
    expect(newResources(before, snapshotResources()).Timeout).toBeUndefined()
  })
})

describe('simulated clock', () => {
  it('runs sleeps in time order without waiting, and an aborted sleep leaves no timer', async () => {
    const clock = new SimClock()
    const order: string[] = []
    void clock.sleep(60_000).then(() => order.push(`b@${clock.now()}`))
    void clock.sleep(1_000).then(() => order.push(`a@${clock.now()}`))
    const controller = new AbortController()
    const aborted = clock.sleep(500, controller.signal)
    controller.abort()
    await expect(aborted).rejects.toBeInstanceOf(AbortError)
    expect(clock.sleeping).toBe(2)
    await clock.runUntil(
      () => order.length === 2,
      () => 2 - order.length,
    )
    expect(order).toEqual(['a@1000', 'b@60000'])
  })
})

describe('polling simulation', () => {
  const image = DEFAULT_POLLING_SCENARIOS[0]
  if (!image) throw new Error('no image scenario')

  it('is exact for a fixed poller: one GET per 500 ms until the task completes', async () => {
    expect(await simulateTask(image, 'fixed-500ms', 60_000, new DurationEstimates())).toEqual({
      requests: 120,
      lagMs: 0,
    })
    expect(await simulateTask(image, 'fixed-500ms', 60_001, new DurationEstimates())).toEqual({
      requests: 121,
      lagMs: 499,
    })
  })

  it('the learned row measures a process that has seen WARMUP_TASKS tasks of the pair, not a fresh one', async () => {
    const only = { scenarios: [image], trials: 5, seed: 3 }
    const { rows, warmupTasks } = await measurePolling(only)
    expect(warmupTasks).toBe(WARMUP_TASKS)
    const learned = rows.find((row) => row.poller === 'goapi-learned')
    const freshRow = rows.find((row) => row.poller === 'goapi')
    // The same tasks (same seed), so the difference is what the process learned before them.
    const warmed = new DurationEstimates()
    for (const ms of durations(image.durationMs, WARMUP_TASKS, 3 + 7))
      await simulateTask(image, 'goapi-learned', ms, warmed)
    const estimate = warmed.get('midjourney', 'imagine')
    expect(estimate?.typicalMs).toBeGreaterThan(image.durationMs * 0.9)
    expect(learned?.meanRequests).toBeLessThan(freshRow?.meanRequests ?? 0)
  })

  it("runs the client's wait() with the spec prior on the simulated clock", async () => {
    const r = await simulateTask(image, 'goapi', 60_000, new DurationEstimates())
    expect(r.requests).toBeGreaterThanOrEqual(1)
    expect(r.lagMs).toBeGreaterThanOrEqual(0)
  })
})

describe('goals', () => {
  const goal = (limit: number, value: number | undefined): Goal => ({
    measure: () => 'm',
    goal: `≤ ${limit}`,
    value: () => value,
    limit,
    show: (v) => String(v),
  })

  it('is met at or under its limit, not over it, and absent when not measured', () => {
    expect(goalRows(base, [goal(1, 1), goal(1, 1.01), goal(1, undefined), goal(1, Number.NaN)])).toEqual([
      { measure: 'm', goal: '≤ 1', measured: '1', met: true },
      { measure: 'm', goal: '≤ 1', measured: '1.01', met: false },
    ])
    expect(goalRows(base)).toEqual([])
  })

  it('reads the bundle goals from the run: the size and the ratio to replicate', () => {
    const size = (gzip: number) => ({ minified: gzip * 3, gzip, ours: gzip, ratioToGoapi: 1 })
    const r: BenchResults = {
      ...base,
      bundle: {
        consumers: { goapi: size(3_900), replicate: size(7_000) },
        families: [],
        typeOnly: { esbuild: { minified: 0, gzip: 0, ours: 0 } },
      },
    }
    const rows = goalRows(r)
    expect(rows.map((x) => [x.goal, x.met])).toEqual([
      ['≤ 4,000 B', true],
      ['≤ 0.55× replicate', false],
    ])
    expect(GOALS.length).toBe(11)
  })
})

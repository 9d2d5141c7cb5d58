import { describe, expect, it, onTestFinished, vi } from 'vitest'
import {
  AbortError,
  createTaskFeed,
  DURATION_BY_KIND,
  DurationEstimates,
  etaDelay,
  etaWindow,
  pollDelay,
  pollPolicy,
  TaskFailedError,
  waitForTask,
  type TaskKind,
  type UntypedTask,
  type WaitOptions,
} from '../src/index.js'
import { SimClock } from './sim-clock.js'

/** The un-jittered delays before the first `n` checks, and when each check happens. */
function schedule(kind: TaskKind, n: number): { delays: number[]; at: number[] } {
  const policy = pollPolicy(kind, undefined)
  const delays = Array.from({ length: n }, (_, i) => pollDelay(policy, i, () => 0.5))
  let t = 0
  return { delays, at: delays.map((d) => (t += d)) }
}

describe('default polling pace', () => {
  it('images and text: first check after 1 s, growing 1.3× to at most 3 s', () => {
    for (const kind of ['image', 'text'] as const) {
      const { delays, at } = schedule(kind, 8)
      expect(delays).toEqual([1000, 1300, 1690, 2197, 2856, 3000, 3000, 3000])
      // A 5 s task is seen at the 4th check (6.2 s), not at 8.1 s as with 1.5× up to 5 s.
      expect(at[3]).toBe(6187)
    }
  })

  it('video backs off further and faster than images', () => {
    const { delays } = schedule('video', 8)
    expect(delays).toEqual([1000, 1500, 2250, 3375, 5063, 7594, 11391, 15000])
    expect(pollPolicy('video', undefined).maxDelayMs).toBeGreaterThan(pollPolicy('image', undefined).maxDelayMs)
    expect(pollPolicy('audio', undefined)).toMatchObject({ factor: 1.5, maxDelayMs: 8000 })
    expect(pollPolicy('model3d', undefined)).toMatchObject({ factor: 1.5, maxDelayMs: 10000 })
  })

  it('keeps jitter within ±20% and overrides win', () => {
    const policy = pollPolicy('image', { factor: 2, maxDelayMs: 10_000 })
    expect(policy).toMatchObject({ initialDelayMs: 1000, factor: 2, maxDelayMs: 10_000, jitter: 0.2 })
    expect(pollDelay(policy, 2, () => 0)).toBe(3200)
    expect(pollDelay(policy, 2, () => 1)).toBe(4800)
  })
})

/** A task that completes (or fails) at `endAt` in simulated time, read through `waitForTask`. */
function simulated(clock: SimClock, endAt: number, extra: (now: number) => Partial<UntypedTask> = () => ({})) {
  const gets: number[] = []
  const task = (status: string): UntypedTask =>
    ({ task_id: 't1', model: 'Qubico/flux1-dev', task_type: 'txt2img', status, output: null }) as UntypedTask
  const deps = {
    get: async (id: string) => {
      gets.push(clock.now())
      const done = clock.now() >= endAt
      return { ...task(done ? 'completed' : 'processing'), task_id: id, ...(done ? {} : extra(clock.now())) }
    },
    cancel: async () => undefined,
  }
  return { deps, gets, created: task('pending') }
}

async function measure(endAt: number, options: WaitOptions & { durations?: DurationEstimates }) {
  const clock = new SimClock()
  const { deps, gets, created } = simulated(clock, endAt)
  let seenAt = -1
  const done = waitForTask(deps, created, { clock, durations: new DurationEstimates(), ...options }).then(() => {
    seenAt = clock.now()
  })
  await clock.run()
  await done
  return { gets: gets.length, lag: seenAt - endAt, at: gets }
}

describe('ETA schedule (simulated time)', () => {
  // Durations spread evenly within ±10%: the 90th percentile is 8% over the typical one.
  const image = { typicalMs: 60_000, p90Ms: 64_800 }
  const video = { typicalMs: 300_000, p90Ms: 324_000 }
  const spread = (typical: number) => Array.from({ length: 21 }, (_, i) => Math.round(typical * (0.9 + i * 0.01)))
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length

  it('a 60 s image task: ≤ 12 checks and ≤ 1.5 s lag on average, few checks early', async () => {
    const runs = await Promise.all(spread(60_000).map((end) => measure(end, { kind: 'image', duration: image })))
    expect(mean(runs.map((r) => r.gets))).toBeLessThanOrEqual(12)
    expect(mean(runs.map((r) => r.lag))).toBeLessThanOrEqual(1_500)
    for (const r of runs) expect(r.at.filter((t) => t < 40_000).length).toBeLessThanOrEqual(3)
  })

  it('a 300 s video task: ≤ 20 checks and ≤ 1.5 s lag on average', async () => {
    const runs = await Promise.all(spread(300_000).map((end) => measure(end, { kind: 'video', duration: video })))
    expect(mean(runs.map((r) => r.gets))).toBeLessThanOrEqual(20)
    expect(mean(runs.map((r) => r.lag))).toBeLessThanOrEqual(1_500)
  })

  it('a wide prior (p90 twice the typical): the window starts at its 5th percentile, not at 0', async () => {
    const wide = { typicalMs: 60_000, p90Ms: 120_000 }
    const w = etaWindow(wide, 3_000)
    expect(w.lo).toBeGreaterThan(20_000)
    expect(w.hi).toBeGreaterThan(140_000)
    // Before the window: the sparse checks only, whatever the jitter draws (lowest, middle, highest).
    for (const random of [() => 0, () => 0.5, () => 0.999999]) {
      let elapsed = 0
      let early = 0
      for (;;) {
        elapsed += etaDelay(wide, elapsed, 3_000, { random })
        if (elapsed >= w.lo) break
        early++
      }
      expect(early).toBeLessThanOrEqual(4)
    }
    const runs = await Promise.all(spread(60_000).map((end) => measure(end, { kind: 'image', duration: wide })))
    expect(mean(runs.map((r) => r.gets))).toBeLessThan(18)
    expect(mean(runs.map((r) => r.lag))).toBeLessThanOrEqual(1_500)
  })

  it('a late task: checks back off up to the kind cap', async () => {
    const { at } = await measure(900_000, { kind: 'image', duration: image })
    const late = at.filter((t) => t > etaWindow(image, 3_000).hi)
    const gaps = late.slice(1).map((t, i) => t - (late[i] as number))
    expect(Math.max(...gaps)).toBe(3_000)
    expect(gaps.every((g, i) => i === 0 || g >= (gaps[i - 1] as number))).toBe(true)
  })

  it('without a prior the kind gives one, and a fixed `poll` still wins', async () => {
    const eta = await measure(5_000, { kind: 'image' })
    expect(eta.lag).toBeLessThanOrEqual(etaWindow(DURATION_BY_KIND.image, 3_000).step)
    const fixed = await measure(5_000, { kind: 'image', poll: { initialDelayMs: 100, maxDelayMs: 100, jitter: 0 } })
    expect(fixed.at.slice(0, 3)).toEqual([100, 200, 300])
  })

  it('learns the duration of a (model, task type) from tasks completed here', async () => {
    // The early checks' jitter is drawn from Math.random: fixed here, so both waits are comparable.
    vi.spyOn(Math, 'random').mockReturnValue(0.5)
    onTestFinished(() => {
      vi.restoreAllMocks()
    })
    const durations = new DurationEstimates()
    const wrong = { typicalMs: 120_000, p90Ms: 130_000 }
    const first = await measure(30_000, { kind: 'image', duration: wrong, durations })
    for (let i = 0; i < 6; i++) await measure(30_000, { kind: 'image', duration: wrong, durations })
    const learned = durations.get('Qubico/flux1-dev', 'txt2img')
    expect(learned?.typicalMs).toBeGreaterThan(25_000)
    expect(learned?.typicalMs).toBeLessThan(45_000)
    const later = await measure(30_000, { kind: 'image', duration: wrong, durations })
    expect(later.lag).toBeLessThan(first.lag)
  })

  it('reported progress moves the expected end', async () => {
    // The prior says 4 minutes; the task reports linear progress to an end at 40 s.
    const prior = { typicalMs: 240_000, p90Ms: 260_000 }
    const run = async (report: boolean) => {
      const clock = new SimClock()
      const { deps, created } = simulated(clock, 40_000, (now) =>
        report ? { output: { progress: Math.floor((now / 40_000) * 100) } as never } : {},
      )
      let seenAt = -1
      const done = waitForTask(deps, created, {
        clock,
        durations: new DurationEstimates(),
        kind: 'image',
        duration: prior,
      }).then(() => (seenAt = clock.now()))
      await clock.run()
      await done
      return seenAt - 40_000
    }
    expect(await run(false)).toBeGreaterThan(4_000)
    expect(await run(true)).toBeLessThanOrEqual(1_500)
  })

  it('ignores hostile progress values and a task that changed model', async () => {
    const durations = new DurationEstimates()
    for (const progress of ['50', Number.NaN, 1e9, -5, null]) {
      const clock = new SimClock()
      const { deps, created } = simulated(clock, 5_000, () => ({ output: { progress } as never }))
      const done = waitForTask(deps, created, { clock, durations, kind: 'image' })
      await clock.run()
      await expect(done).resolves.toMatchObject({ status: 'completed' })
    }
    expect(durations.get('Qubico/flux1-dev', 'txt2img')).toBeDefined()
    const fresh = new DurationEstimates()
    const clock = new SimClock()
    const { deps, created } = simulated(clock, 5_000)
    const other = { ...deps, get: async (id: string) => ({ ...(await deps.get(id)), model: 'evil' }) }
    const done = waitForTask(other, created, { clock, durations: fresh, kind: 'image' })
    await clock.run()
    await done
    expect(fresh.get('evil', 'txt2img')).toBeUndefined()
    expect(fresh.get('Qubico/flux1-dev', 'txt2img')).toBeUndefined()
  })

  it('keeps at most 512 pairs', () => {
    const durations = new DurationEstimates()
    for (let i = 0; i < 600; i++) durations.observe(`m${i}`, 't', 1_000, { typicalMs: 1_000, p90Ms: 2_000 })
    expect(durations.get('m0', 't')).toBeUndefined()
    expect(durations.get('m599', 't')).toBeDefined()
  })
})

describe('task feed (webhooks)', () => {
  it('a pushed completion ends the wait without polling', async () => {
    const clock = new SimClock()
    const feed = createTaskFeed()
    const { deps, gets, created } = simulated(clock, 60_000)
    const done = waitForTask(deps, created, {
      clock,
      feed,
      durations: new DurationEstimates(),
      kind: 'image',
      duration: { typicalMs: 60_000, p90Ms: 66_000 },
    })
    await clock.advanceTo(59_000)
    feed.push({ ...created, task_id: 'other', status: 'completed' })
    feed.push({ ...created, status: 'processing' })
    await clock.advanceTo(60_000)
    feed.push({ ...created, status: 'completed', output: { image_url: 'https://x/y.png' } as never })
    await expect(done).resolves.toMatchObject({ status: 'completed' })
    expect(gets).toEqual([])
  })

  it('a pushed failure throws TaskFailedError', async () => {
    const clock = new SimClock()
    const feed = createTaskFeed()
    const { deps, created } = simulated(clock, 60_000)
    const done = waitForTask(deps, created, { clock, feed, durations: new DurationEstimates(), kind: 'image' })
    const caught = done.catch((e: unknown) => e)
    await clock.advanceTo(1_000)
    feed.push({ ...created, status: 'failed' })
    expect(await caught).toBeInstanceOf(TaskFailedError)
  })

  it('without a push it polls only as a late safety net', async () => {
    const clock = new SimClock()
    const prior = { typicalMs: 60_000, p90Ms: 66_000 }
    const { deps, gets, created } = simulated(clock, 60_000)
    const done = waitForTask(deps, created, {
      clock,
      feed: createTaskFeed(),
      durations: new DurationEstimates(),
      kind: 'image',
      duration: prior,
    })
    await clock.run()
    await done
    expect(gets).toEqual([etaWindow(prior, 3_000).hi])
  })

  it('a lost feed hands over to the usual polling pace at once', async () => {
    const clock = new SimClock()
    const { deps, gets, created } = simulated(clock, 60_000)
    let lose: (() => void) | undefined
    const feed = {
      subscribe: (_id: string, _listener: (t: UntypedTask) => void, lost?: () => void) => {
        lose = lost
        return () => undefined
      },
    }
    const done = waitForTask(deps, created, {
      clock,
      feed,
      durations: new DurationEstimates(),
      kind: 'image',
      duration: { typicalMs: 60_000, p90Ms: 66_000 },
    })
    await clock.advanceTo(10_000)
    expect(gets).toEqual([])
    lose?.()
    await clock.run()
    await done
    // Checked right away, then on the ETA schedule: not only once, as the safety net at the window's end.
    expect(gets[0]).toBe(10_000)
    expect(gets.length).toBeGreaterThan(2)
  })

  it('an abort during the wait rejects with AbortError and unsubscribes', async () => {
    const clock = new SimClock()
    let subscribed = 0
    const feed = createTaskFeed()
    const counting = {
      subscribe: (id: string, fn: (t: UntypedTask) => void) => {
        subscribed++
        const off = feed.subscribe(id, fn)
        return () => {
          subscribed--
          off()
        }
      },
    }
    const controller = new AbortController()
    const { deps, created } = simulated(clock, 60_000)
    const done = waitForTask(deps, created, { clock, feed: counting, signal: controller.signal }).catch((e) => e)
    await clock.advanceTo(1_000)
    controller.abort(new Error('user left'))
    const error = await done
    expect(error).toBeInstanceOf(AbortError)
    expect((error as Error).message).toContain('user left')
    expect(subscribed).toBe(0)
  })
})

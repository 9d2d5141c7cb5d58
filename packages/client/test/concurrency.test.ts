// Runs in its own file (own worker) so the resource checks see only what this test created.
import { createHook } from 'node:async_hooks'
import { startMock, type MockServer } from '@goapi/mock'
import { describe, expect, it } from 'vitest'
import { AbortError, TimeoutError, createClient } from '../src/index.js'
import { sleep } from '../src/internal/sleep.js'

const CLIENT_SOURCE = /[\\/]client[\\/]src[\\/]/
const TIMER_INTERNALS = /\(node:internal\/(async_hooks|timers)[:)]|\(node:timers[:)]|AsyncHook\.init|^Error/

/**
 * The frame that asked for a timer: the first one below Node's timer internals (and this hook).
 * Only that frame says whose timer it is: a stack merely passing through the client's code also
 * belongs to timers that others arm on its behalf, such as undici's one process-wide connection
 * timer (re-armed from inside `fetch`, unref'd, and alive for a second after the last request).
 */
function timerCreator(stack: string): string {
  return (
    stack
      .split('\n')
      .map((line) => line.trim())
      .find((line) => line !== '' && !TIMER_INTERNALS.test(line)) ?? ''
  )
}

/**
 * Live timers created by the client's own code (told apart by the frame that created them),
 * tracked with async_hooks: `init` when a timer is made, `destroy` when it fires or is cleared.
 */
function clientTimers() {
  const live = new Set<number>()
  let created = 0
  const hook = createHook({
    init(asyncId, type) {
      if (type !== 'Timeout') return
      const limit = Error.stackTraceLimit
      Error.stackTraceLimit = 50
      const stack = new Error().stack ?? ''
      Error.stackTraceLimit = limit
      if (!CLIENT_SOURCE.test(timerCreator(stack))) return
      created++
      live.add(asyncId)
    },
    destroy(asyncId) {
      live.delete(asyncId)
    },
  })
  return {
    live,
    created: () => created,
    enable: () => hook.enable(),
    disable: () => hook.disable(),
    /** Destroy hooks are delivered on a later turn of the event loop: give them a few turns (no I/O involved). */
    async settled(): Promise<number> {
      for (let i = 0; i < 100 && live.size > 0; i++) await new Promise((resolve) => setImmediate(resolve))
      return live.size
    },
  }
}

const SOCKETS_AND_TIMERS = new Set(['TCPSocketWrap', 'TCPServerWrap', 'Timeout'])
const resources = () => process.getActiveResourcesInfo().filter((r) => SOCKETS_AND_TIMERS.has(r)).length

/** Sockets close through the OS: wait (bounded) until the count is back to `before`, then report it. */
async function drained(before: number): Promise<number> {
  const until = Date.now() + 30_000
  while (resources() > before && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 10))
  return resources()
}

describe('client timer tracking', () => {
  it('sees a timer the client leaves running (so the check below can fail)', async () => {
    const timers = clientTimers()
    timers.enable()
    const controller = new AbortController()
    const leaked = sleep(60_000, controller.signal).catch(() => undefined)
    expect(await timers.settled()).toBe(1)
    controller.abort()
    await leaked
    expect(await timers.settled()).toBe(0)
    timers.disable()
  })

  // The stack (trimmed) of the timer that made "1,000 concurrent waits" fail about 1 run in 5 under
  // CPU load: undici re-arming its process-wide timer from inside a fetch the client made.
  const UNDICI_TIMER = `Error
    at AsyncHook.init (/repo/packages/client/test/concurrency.test.ts:23:21)
    at emitInitNative (node:internal/async_hooks:202:43)
    at emitInitScript (node:internal/async_hooks:505:3)
    at initAsyncResource (node:internal/timers:165:5)
    at insertGuarded (node:internal/timers:350:5)
    at unrefActive (node:internal/timers:333:3)
    at Timeout.refresh (node:internal/timers:217:7)
    at refreshTimeout (node:internal/deps/undici/undici:2373:24)
    at FastTimer.refresh (node:internal/deps/undici/undici:2456:11)
    at Parser.setTimeout (node:internal/deps/undici/undici:6062:37)
    at fetch (node:internal/bootstrap/web/exposed-window-or-worker:72:12)
    at /repo/packages/client/src/internal/request.ts:28:24`
  const CLIENT_TIMER = `Error
    at AsyncHook.init (/repo/packages/client/test/concurrency.test.ts:23:21)
    at emitInitNative (node:internal/async_hooks:202:43)
    at emitInitScript (node:internal/async_hooks:505:3)
    at initAsyncResource (node:internal/timers:165:5)
    at new Timeout (node:internal/timers:189:3)
    at setTimeout (node:timers:164:19)
    at /repo/packages/client/src/internal/sleep.ts:10:19
    at new Promise (<anonymous>)`

  it("tells the client's own timers from undici's, armed on its behalf", () => {
    expect(timerCreator(UNDICI_TIMER)).toMatch(/undici/)
    expect(CLIENT_SOURCE.test(timerCreator(UNDICI_TIMER))).toBe(false)
    expect(CLIENT_SOURCE.test(timerCreator(CLIENT_TIMER))).toBe(true)
  })
})

describe('1,000 concurrent waits', () => {
  it('all settle with random aborts and deadlines, and leave no timers or sockets behind', async () => {
    const before = resources()
    // Waits that are to end by abort or by their deadline follow tasks that stay pending (on
    // `stuck`), the others tasks that complete (on `fast`): each wait's outcome is decided by its
    // mode, not by how fast a loaded machine happens to be.
    const fast = await startMock({ latency: { pendingMs: 200, processingMs: 800 } })
    const stuck = await startMock({ latency: { pendingMs: 600_000, processingMs: 0 } })
    const timers = clientTimers()
    const aborts: NodeJS.Timeout[] = []
    const outcomes = { completed: 0, aborted: 0, timedOut: 0 }
    try {
      // No request of this test is meant to time out: the per-request timeout is left at its
      // default (60 s); only mode 1's wait deadlines end waits.
      const clientOn = (mock: MockServer) =>
        createClient({ apiKey: 'sk-concurrency', baseUrl: mock.url, retry: { initialDelayMs: 1, maxDelayMs: 5 } })
      const [toFast, toStuck] = [clientOn(fast), clientOn(stuck)]
      const clientOf = (i: number) => (i % 3 === 2 ? toFast : toStuck)
      const ids: string[] = []
      for (let batch = 0; batch < 10; batch++) {
        const tasks = await Promise.all(
          Array.from({ length: 100 }, (_, j) =>
            clientOf(batch * 100 + j).createTask({
              model: 'Qubico/flux1-schnell',
              task_type: 'txt2img',
              input: { prompt: `task ${batch * 100 + j}` },
            }),
          ),
        )
        ids.push(...tasks.map((t) => t.task_id))
      }
      // Transient failures along the way: one poll in ten is reset or answered 503.
      for (const mock of [fast, stuck]) {
        for (let i = 0; i < 150; i++) {
          mock.faults.add({ route: 'GET /api/v1/task/:id', delayMs: 0, times: 9 })
          mock.faults.add({ route: 'GET /api/v1/task/:id', times: 1, ...(i % 2 ? { reset: true } : { status: 503 }) })
        }
      }
      timers.enable()
      const waits = ids.map((id, i) => {
        const controller = new AbortController()
        const mode = i % 3
        if (mode === 0) aborts.push(setTimeout(() => controller.abort(new Error('user gave up')), Math.random() * 100))
        return clientOf(i).wait(id, {
          signal: controller.signal,
          // Modes 0 and 2 end by abort and completion: their deadline (the default, 30 min) is never reached.
          ...(mode === 1 ? { timeoutMs: 5 + Math.random() * 100 } : {}),
          poll: { initialDelayMs: 1, maxDelayMs: 50 },
        })
      })
      const settled = await Promise.allSettled(waits)
      for (const r of settled) {
        if (r.status === 'fulfilled') outcomes.completed++
        else if (r.reason instanceof AbortError) outcomes.aborted++
        else if (r.reason instanceof TimeoutError) outcomes.timedOut++
        else throw new Error(`unexpected outcome: ${String(r.reason)}`, { cause: r.reason })
      }
      // Checked at once, before anything else can expire: no timer of the client's is left.
      expect(await timers.settled()).toBe(0)
      expect(timers.created()).toBeGreaterThan(1000)
    } finally {
      timers.disable()
      for (const t of aborts) clearTimeout(t)
      await fast.close()
      await stuck.close()
    }
    expect(outcomes).toEqual({ completed: 333, aborted: 334, timedOut: 333 })
    // And with the simulators closed, no socket or timer at all remains.
    expect(await drained(before)).toBeLessThanOrEqual(before)
  }, 120_000)
})

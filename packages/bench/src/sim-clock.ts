// Simulated time for wait(): the client's `Clock` (now + sleep) on a standalone @sinonjs/fake-timers
// clock (no global is replaced, so real sockets and timers keep working). `runUntil` moves time to
// the next sleep's end only once every waiter is asleep: polling is measured without sleeping.
import { AbortError, type Clock } from '@goapi/client'
import { createClock } from '@sinonjs/fake-timers'

/** Turns of the event loop allowed without a new sleep before a simulation is declared stuck. */
const MAX_IDLE_TURNS = 10_000

const turn = () => new Promise<void>((resolve) => setImmediate(resolve))

export class SimClock implements Clock {
  readonly #fake = createClock(0)

  now(): number {
    return this.#fake.now
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const aborted = () => new AbortError('The operation was aborted', { cause: signal?.reason })
      if (signal?.aborted) return reject(aborted())
      const onAbort = () => {
        this.#fake.clearTimeout(timer)
        reject(aborted())
      }
      const timer = this.#fake.setTimeout(
        () => {
          signal?.removeEventListener('abort', onAbort)
          resolve()
        },
        Math.max(0, ms),
      )
      signal?.addEventListener('abort', onAbort, { once: true })
    })
  }

  /** Sleeps not yet over. */
  get sleeping(): number {
    return this.#fake.countTimers()
  }

  /**
   * Runs until `done()`: lets the event loop turn (requests on an in-memory fetch answer within a
   * turn or a few) until `waiters()` sleeps are pending, then jumps to the earliest one's end.
   */
  async runUntil(done: () => boolean, waiters: () => number = () => 1): Promise<void> {
    let idle = 0
    for (;;) {
      await turn()
      if (done()) return
      if (this.sleeping < Math.max(1, waiters())) {
        if (++idle > MAX_IDLE_TURNS) throw new Error('simulation stuck: nothing sleeps and nothing finished')
        continue
      }
      idle = 0
      this.#fake.next()
    }
  }
}

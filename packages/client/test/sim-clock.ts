// Simulated time for wait(): sleeps are queued and fire in order of their end, jumping the clock
// there once every promise that can run has run. Polling is measured without sleeping.
import { AbortError, type Clock } from '../src/index.js'

interface Timer {
  at: number
  seq: number
  fire: () => void
}

export class SimClock implements Clock {
  #now = 0
  #seq = 0
  #timers: Timer[] = []

  now(): number {
    return this.#now
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const aborted = () => {
        const reason: unknown = signal?.reason
        return new AbortError(`The operation was aborted${reason instanceof Error ? `: ${reason.message}` : ''}`)
      }
      if (signal?.aborted) return reject(aborted())
      const timer: Timer = { at: this.#now + Math.max(0, ms), seq: this.#seq++, fire: resolve }
      this.#timers.push(timer)
      signal?.addEventListener(
        'abort',
        () => {
          this.#timers = this.#timers.filter((t) => t !== timer)
          reject(aborted())
        },
        { once: true },
      )
    })
  }

  /** Lets every pending promise run (a macrotask turn). */
  static settle(): Promise<void> {
    return new Promise((resolve) => setImmediate(resolve))
  }

  /** Runs timers in time order until none is left or `until` (checked before each) says stop. */
  async run(until: () => boolean = () => false): Promise<void> {
    for (;;) {
      await SimClock.settle()
      if (until() || this.#timers.length === 0) return
      this.#timers.sort((a, b) => a.at - b.at || a.seq - b.seq)
      const next = this.#timers.shift() as Timer
      this.#now = next.at
      next.fire()
    }
  }

  /** Moves the clock to `at`, firing every timer due by then. */
  async advanceTo(at: number): Promise<void> {
    await this.run(() => this.#timers.length === 0 || this.#earliest() > at)
    this.#now = Math.max(this.#now, at)
    await SimClock.settle()
  }

  #earliest(): number {
    return Math.min(...this.#timers.map((t) => t.at))
  }
}

import { describe, expect, it } from 'vitest'
import { pollDelay, pollPolicy, type TaskKind } from '../src/index.js'

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

// Summaries of repeated measurements: every reported figure is a median with its min and max.

export interface Stat {
  median: number
  min: number
  max: number
  runs: number
}

export function stat(values: readonly number[]): Stat {
  if (values.length === 0) throw new Error('stat() needs at least one value')
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  const median =
    sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
  return { median, min: sorted[0] as number, max: sorted[sorted.length - 1] as number, runs: sorted.length }
}

export function mean(values: readonly number[]): number {
  if (values.length === 0) throw new Error('mean() needs at least one value')
  return values.reduce((a, b) => a + b, 0) / values.length
}

/** A small seeded PRNG (mulberry32), so simulated scenarios are the same on every run. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export function round(value: number, digits = 0): number {
  const f = 10 ** digits
  return Math.round(value * f) / f
}

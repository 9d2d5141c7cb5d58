// An empty result set of a run, for tests that fill in the measures they check.
import type { BenchResults } from '../src/report.js'

export function emptyResults(): BenchResults {
  return {
    schema: 2,
    date: '2025-01-01T00:00:00.000Z',
    machine: {
      cpu: 'test',
      cores: 2,
      memoryGb: 1,
      os: 'test',
      node: process.version,
      pnpm: 'test',
      commit: 'test',
      loadAverageAtStart: [0, 0, 0],
    },
    sectionSeconds: {},
  }
}

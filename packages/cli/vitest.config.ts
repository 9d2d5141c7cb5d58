import { defineConfig } from 'vitest/config'

// The tests run the built CLI as child processes; allow for process start-up on slow machines.
export default defineConfig({ test: { testTimeout: 60_000, hookTimeout: 30_000 } })

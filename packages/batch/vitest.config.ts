import { defineConfig } from 'vitest/config'

// The crash suite runs the built CLI as child processes and kills them; allow for process start-up.
export default defineConfig({ test: { testTimeout: 90_000, hookTimeout: 30_000, fileParallelism: false } })

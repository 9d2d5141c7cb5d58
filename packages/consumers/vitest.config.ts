import { defineConfig } from 'vitest/config'

// One global setup packs every published package and installs a fresh consumer project once;
// the test files then share it. Installs, compilers and other runtimes are child processes, so
// the timeouts are generous for slow or busy machines.
export default defineConfig({
  test: {
    globalSetup: ['./test/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
  },
})

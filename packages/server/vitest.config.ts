import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: { include: ['test/**/*.test.ts', 'examples/**/*.test.ts'], typecheck: { include: ['test/**/*.test-d.ts'] } },
})

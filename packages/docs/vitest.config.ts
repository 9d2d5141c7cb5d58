import { defineConfig } from 'vitest/config'

// The setup builds the whole docs site (Redocly + typedoc) and starts Chromium once; the browser
// checks then share them. Generous timeouts because the suite runs next to other packages' tests.
export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 180_000,
  },
})

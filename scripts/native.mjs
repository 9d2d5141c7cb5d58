// Exits 0 when better-sqlite3 (the native module of @goapi/batch's journal) loads and opens a
// database here, 1 otherwise: `pnpm run native` then builds it. It is not built at install
// (pnpm-workspace.yaml), so that the demo does not wait for it.
import { createRequire } from 'node:module'

const require = createRequire(new URL('../packages/batch/package.json', import.meta.url))
try {
  const Database = require('better-sqlite3')
  new Database(':memory:').close()
} catch (error) {
  console.error(`better-sqlite3 is not built yet (${error.code ?? error.message}): building it (about a minute).`)
  process.exit(1)
}

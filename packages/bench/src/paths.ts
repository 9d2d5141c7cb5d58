import { fileURLToPath } from 'node:url'
import path from 'node:path'

/** packages/bench */
export const BENCH_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
/** The monorepo root. */
export const REPO_ROOT = path.resolve(BENCH_DIR, '../..')
/** Scratch files (generated fixtures): inside node_modules, so packages resolve and git and prettier ignore them. */
export const TMP_DIR = path.join(BENCH_DIR, 'node_modules', '.cache', 'goapi-bench')
export const FIXTURES_DIR = path.join(BENCH_DIR, 'fixtures')

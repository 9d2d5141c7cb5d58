import { defineConfig } from 'tsdown'
import base from '../../tsdown.base.js'

// Two entries: the platform-neutral client, and `@goapi/client/node` (downloads; Node only).
// Shared code (the error classes) lands in one chunk, so `instanceof GoApiError` holds across both.
export default defineConfig({ ...base, entry: { index: 'src/index.ts', node: 'src/node/index.ts' } })

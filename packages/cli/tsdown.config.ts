import { defineConfig } from 'tsdown'
import base from '../../tsdown.base.js'

// ESM only (ora is ESM-only); the bin shares the index's chunk.
export default defineConfig({ ...base, entry: ['src/index.ts', 'src/bin.ts'], format: ['esm'], platform: 'node' })

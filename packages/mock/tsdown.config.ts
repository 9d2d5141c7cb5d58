import { defineConfig } from 'tsdown'
import base from '../../tsdown.base.js'

export default defineConfig([
  { ...base, platform: 'node' },
  { ...base, entry: ['src/bin.ts'], format: ['esm'], dts: false, platform: 'node', clean: false },
])

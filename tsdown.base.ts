// Shared build settings for every runtime package: ESM + CJS with declarations.
// GOAPI_FAST_BUILD=1 (the demo and the root `goapi` script, which only run code) builds ESM
// without declarations: about 6x faster; turbo hashes the variable, so the two builds never mix.
import { defineConfig } from 'tsdown'

const fast = process.env.GOAPI_FAST_BUILD === '1'

export default defineConfig({
  entry: ['src/index.ts'],
  format: fast ? ['esm'] : ['esm', 'cjs'],
  dts: !fast,
  clean: true,
  platform: 'neutral',
  target: 'es2022',
  sourcemap: false,
  fixedExtension: true,
})

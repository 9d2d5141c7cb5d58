// Shared build settings for every runtime package: ESM + CJS with declarations.
import { defineConfig } from 'tsdown'

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  platform: 'neutral',
  target: 'es2022',
  sourcemap: false,
  fixedExtension: true,
})

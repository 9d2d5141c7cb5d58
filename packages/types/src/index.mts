// ESM entry for `import` resolution: the same types as ./index.ts, declared as an ES module so
// type-only imports from ESM and CommonJS consumers both resolve without interop ambiguity.
export type * from './index.js'

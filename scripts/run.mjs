// `node scripts/run.mjs scripts/<name>.ts [args]`: runs a TypeScript script of this repo with plain
// node. esbuild bundles the script and the modules it imports from scripts/ into one ES module;
// packages stay external, so node loads them natively. (Under tsx every module load of the
// dependencies, Redocly, Ajv, TypeScript and the rest, goes through its loader hooks: about a
// second of start-up CPU for `generate`.) Each module's `import.meta.dirname` and
// `import.meta.url` stay its own source file's, as under tsx.
import { build } from 'esbuild'
import { readFile, rm } from 'node:fs/promises'
import path from 'node:path'
import { pathToFileURL } from 'node:url'

const [script, ...args] = process.argv.slice(2)
if (!script) throw new Error('usage: node scripts/run.mjs <script.ts> [args]')
const entry = path.resolve(script)
// Inside the repo, so the bundle's package imports resolve from its node_modules; one file per run.
const outfile = path.resolve(
  import.meta.dirname,
  '../node_modules/.cache/goapi-scripts',
  `${path.basename(entry, '.ts')}-${process.pid}.mjs`,
)
/** @type {import('esbuild').Plugin} */
const ownPaths = {
  name: 'own-module-paths',
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, async ({ path: file }) => ({
      loader: 'ts',
      contents: (await readFile(file, 'utf8'))
        .replaceAll('import.meta.dirname', JSON.stringify(path.dirname(file)))
        .replaceAll('import.meta.url', JSON.stringify(pathToFileURL(file).href)),
    }))
  },
}
await build({
  entryPoints: [entry],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  plugins: [ownPaths],
  logLevel: 'warning',
})
process.argv = [process.argv[0] ?? 'node', entry, ...args]
try {
  await import(pathToFileURL(outfile).href)
} finally {
  await rm(outfile, { force: true })
}

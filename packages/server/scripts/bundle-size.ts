// The browser bundle of a page's GoAPI code through the proxy, measured like packages/bench
// (esbuild, minified, browser ESM, gzip -9), next to the same job with a key (the bench's job),
// then where the bytes come from: each source module's minified bytes and the gzip bytes the bundle
// loses without it (so shared strings count for no one; the column sums to less than the total).
// Run: npx -y pnpm@12.4.2 --filter @goapi/server run size (after a build of the client and flux).
// `--check` exits with 1 when the page's job is over the budget (the job with a key is the bench's).
import { gzipSync } from 'node:zlib'
import { fileURLToPath } from 'node:url'
import { decode } from '@jridgewell/sourcemap-codec'
import { build, type BuildOptions, type Plugin } from 'esbuild'

const JOBS = {
  'proxy (this page)': `import { createProxyClient } from '@goapi/client'
import { txt2img } from '@goapi/flux'
const goapi = createProxyClient({ baseUrl: '/api/goapi' })
const task = await txt2img(goapi, { prompt: 'a lighthouse at dusk' })
console.log(task.output.image_url)
`,
  'with a key (the bench job)': `import { createClient } from '@goapi/client'
import { txt2img } from '@goapi/flux'
const goapi = createClient({ apiKey: 'YOUR_KEY' })
const task = await txt2img(goapi, { prompt: 'a lighthouse at dusk' })
console.log(task.output.image_url)
`,
}
const BUDGET = 4_000

const dir = fileURLToPath(new URL('..', import.meta.url))
const clientSources = fileURLToPath(new URL('../../client/src/index.ts', import.meta.url))
/** Resolves `@goapi/client` to its sources, so the breakdown names modules rather than one dist file. */
const fromSources: Plugin = {
  name: 'client-sources',
  setup(b) {
    b.onResolve({ filter: /^@goapi\/client$/ }, () => ({ path: clientSources }))
  },
}
const gzip = (bytes: Uint8Array | string) => gzipSync(bytes, { level: 9 }).length

function options(contents: string): BuildOptions & { write: false } {
  return {
    stdin: { contents, resolveDir: dir, loader: 'ts', sourcefile: 'entry.ts' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
    legalComments: 'none',
  }
}

/** Per source module: minified bytes, and the gzip bytes the bundle loses without them. */
async function breakdown(contents: string): Promise<Array<{ module: string; bytes: number; gzip: number }>> {
  const result = await build({ ...options(contents), plugins: [fromSources], sourcemap: 'external', outfile: 'out.js' })
  const js = result.outputFiles.find((f) => f.path.endsWith('.js'))?.text
  const map = result.outputFiles.find((f) => f.path.endsWith('.js.map'))?.text
  if (js === undefined || map === undefined) throw new Error('esbuild produced no output')
  const { sources, mappings } = JSON.parse(map) as { sources: string[]; mappings: string }
  // Which source each character of the bundle comes from (-1: none), from the source map.
  const owner = new Int32Array(js.length).fill(-1)
  const lines = js.split('\n')
  let start = 0
  decode(mappings).forEach((segments, line) => {
    const length = lines[line]?.length ?? 0
    segments.forEach((segment, i) => {
      const end = segments[i + 1]?.[0] ?? length
      if (segment[1] !== undefined) owner.fill(segment[1], start + segment[0], start + end)
    })
    start += length + 1
  })
  const total = gzip(js)
  return sources
    .map((source, index) => {
      let rest = ''
      let bytes = 0
      for (let c = 0; c < js.length; c++) {
        if (owner[c] === index) bytes++
        else rest += js[c]
      }
      const module = source.replace(/^(\.\.\/)+/, '').replace(/^node_modules\/\.pnpm\/[^/]+\/node_modules\//, '')
      return { module, bytes, gzip: total - gzip(rest) }
    })
    .sort((a, b) => b.gzip - a.gzip)
}

let over = false
for (const [name, contents] of Object.entries(JOBS)) {
  const result = await build(options(contents))
  const out = result.outputFiles[0]
  if (!out) throw new Error('esbuild produced no output')
  const size = gzip(out.contents)
  if (name.startsWith('proxy')) over ||= size > BUDGET
  console.log(
    `${name}: ${out.contents.length} B minified, ${size} B gzip (budget ${BUDGET} B: ${size <= BUDGET ? 'within' : `over by ${size - BUDGET} B`})`,
  )
  for (const row of await breakdown(contents))
    console.log(
      `  ${row.module.padEnd(44)} ${String(row.bytes).padStart(6)} B min ${String(row.gzip).padStart(6)} B gzip`,
    )
}
if (over && process.argv.includes('--check')) process.exit(1)

// The browser bundle of a page's GoAPI code through the proxy, measured like packages/bench
// (esbuild, minified, browser ESM, gzip -9), next to the same job with a key (the bench's job).
// Run: npx -y pnpm@12.4.2 --filter @goapi/server run size (after a build of the client and flux).
import { gzipSync } from 'node:zlib'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

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
for (const [name, contents] of Object.entries(JOBS)) {
  const result = await build({
    stdin: { contents, resolveDir: dir, loader: 'ts', sourcefile: 'entry.ts' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
    legalComments: 'none',
  })
  const out = result.outputFiles[0]
  if (!out) throw new Error('esbuild produced no output')
  const gzip = gzipSync(out.contents, { level: 9 }).length
  console.log(
    `${name}: ${out.contents.length} B minified, ${gzip} B gzip (budget ${BUDGET} B: ${gzip <= BUDGET ? 'within' : `over by ${gzip - BUDGET} B`})`,
  )
}

// The page's GoAPI code (createProxyClient + Flux txt2img + wait) stays within the client's size
// budget: scripts/bundle-size.ts measures it (esbuild minified, gzip -9, as packages/bench does) and
// `--check` fails over 4,000 B. A size, not a time: the same bytes on any machine.
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { expect, it } from 'vitest'

const run = promisify(execFile)
const dir = fileURLToPath(new URL('..', import.meta.url))

it("the page's bundle is within 4,000 B gzip, and carries none of the key client", async () => {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', 'scripts/bundle-size.ts', '--check'], { cwd: dir })
  const page = /^proxy \(this page\): \d+ B minified, (\d+) B gzip/m.exec(stdout)
  expect(Number(page?.[1])).toBeLessThanOrEqual(4_000)
  const modules = stdout.slice(page?.index ?? 0, stdout.indexOf('with a key'))
  for (const keyOnly of ['client/src/internal/logger.ts', 'client/src/internal/retry.ts'])
    expect(modules).not.toContain(keyOnly)
})

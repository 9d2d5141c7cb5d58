import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, extname, join, normalize, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { chromium, type BrowserContext } from 'playwright-core'

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..')
export const chromiumPath = '/usr/bin/chromium'

/** Builds the docs site exactly as `pnpm run docs` does (minus the package build), into `out`. */
export async function buildSite(out: string): Promise<void> {
  await promisify(execFile)(join(root, 'node_modules/.bin/tsx'), ['scripts/docs.ts', '--out', out], {
    cwd: root,
    maxBuffer: 64 * 1024 * 1024,
  })
}

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
}

/** A static file server for `dir` on 127.0.0.1 (random port). */
export async function serve(dir: string): Promise<{ url: string; close: () => Promise<void> }> {
  const base = resolve(dir)
  const server: Server = createServer((req, res) => {
    const path = normalize(join(base, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)))
    if (!path.startsWith(base + sep)) {
      res.writeHead(403).end()
      return
    }
    readFile(path).then(
      (body) => res.writeHead(200, { 'content-type': types[extname(path)] ?? 'application/octet-stream' }).end(body),
      () => res.writeHead(404).end(),
    )
  })
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((done) => server.close(() => done())),
  }
}

/** Fails with the install instruction when Debian's Chromium is missing (the test installs nothing). */
export function requireChromium(): void {
  if (!existsSync(chromiumPath)) {
    throw new Error(
      `Chromium is missing at ${chromiumPath}. Install it with \`bash scripts/ensure-test-tools.sh\` ` +
        '(runs `apt-get install -y chromium` as root), or run the README test command, which does.',
    )
  }
}

/**
 * Headless Debian Chromium with a fresh profile. Every request that does not go to `origin`
 * is aborted and recorded, so the pages are checked offline.
 */
export async function launch(
  origin: string,
): Promise<{ context: BrowserContext; blocked: string[]; close: () => Promise<void> }> {
  requireChromium()
  const profile = await mkdtemp(join(tmpdir(), 'goapi-docs-chromium-'))
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
  const blocked: string[] = []
  await context.route('**/*', (route) => {
    const url = route.request().url()
    if (url.startsWith(`${origin}/`) || url.startsWith('data:')) return route.continue()
    blocked.push(url)
    return route.abort()
  })
  const close = async (): Promise<void> => {
    await context.close()
    await rm(profile, { recursive: true, force: true })
  }
  return { context, blocked, close }
}

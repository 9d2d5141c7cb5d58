// A real browser: a Vite-built page calls txt2img(goapi, …) from @goapi/flux through the proxy
// (a Node server in front of the simulator, which accepts only the server's key), shows progress
// from the events stream and the image. Every response the page receives is recorded and checked
// for the key. The screenshot is kept in test-artifacts/.
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { extname, join, normalize } from 'node:path'
import { fileURLToPath } from 'node:url'
import { startMock, type MockServer } from '@goapi/mock'
import { chromium, type BrowserContext } from 'playwright-core'
import { build } from 'vite'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createProxy, toNodeListener, type ProxyHandler } from '../src/index.js'
import { listen, type Listening } from './helpers.js'

const KEY = 'sk-goapi-browser-test-9c1f27d4e8b3'
const CHROMIUM = '/usr/bin/chromium'
const ARTIFACTS = fileURLToPath(new URL('../test-artifacts/', import.meta.url))
const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' }

let mock: MockServer
let proxy: ProxyHandler
let server: Listening & { server: import('node:http').Server }
const sent: Buffer[] = []
let out: string
let context: BrowserContext
let profile: string

beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `Chromium is missing at ${CHROMIUM}: run \`bash scripts/ensure-test-tools.sh\` (apt-get install chromium).`,
    )
  out = await mkdtemp(join(tmpdir(), 'goapi-server-page-'))
  await build({
    root: fileURLToPath(new URL('./browser/page/', import.meta.url)),
    logLevel: 'silent',
    build: { outDir: out, emptyOutDir: true },
  })
  mock = await startMock({ keys: [KEY], latency: { pendingMs: 300, processingMs: 1200 } })
  proxy = createProxy({
    apiKey: KEY,
    baseUrl: mock.url,
    basePath: '/api/goapi',
    allow: { models: ['Qubico/flux1-schnell'], taskTypes: ['txt2img'] },
    events: { poll: { initialDelayMs: 200, maxDelayMs: 400 } },
  })
  const api = toNodeListener(proxy)
  server = await listen((req, res) => {
    if ((req.url ?? '').startsWith('/api/goapi/')) return api(req, res)
    const path = normalize(decodeURIComponent((req.url ?? '/').split('?')[0] ?? '/')).replace(/^(\.\.[/\\])+/, '')
    const file = join(out, path === '/' ? 'index.html' : path)
    readFile(file).then(
      (body) => {
        res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' })
        res.end(body)
      },
      () => {
        res.writeHead(404)
        res.end()
      },
    )
  })
  server.server.on('connection', (socket) => {
    const write = socket.write.bind(socket) as (...args: unknown[]) => boolean
    socket.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      sent.push(Buffer.from(chunk))
      return write(chunk, ...rest)
    }) as typeof socket.write
  })
  profile = await mkdtemp(join(tmpdir(), 'goapi-server-chromium-'))
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
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
})

afterAll(async () => {
  await context?.close()
  proxy?.close()
  await server?.close()
  await mock?.close()
  await rm(out, { recursive: true, force: true })
  await rm(profile, { recursive: true, force: true })
})

it('the page renders the image through the proxy, with progress from the events stream and no key anywhere', async () => {
  const page = await context.newPage()
  const responses: Array<{ url: string; status: number; headers: string; body: Promise<Buffer | undefined> }> = []
  const requests: string[] = []
  page.on('request', (request) => requests.push(`${request.method()} ${request.url()}`))
  page.on('response', (response) => {
    responses.push({
      url: response.url(),
      status: response.status(),
      headers: JSON.stringify(response.headers()),
      body: response.body().catch(() => undefined),
    })
  })
  await page.goto(`${server.url}/`)
  await page.waitForFunction(() => document.body.dataset.done !== undefined, undefined, { timeout: 30_000 })
  expect(await page.locator('#error').textContent()).toBe('')
  expect(await page.locator('body').getAttribute('data-done')).toBe('true')
  expect(await page.locator('#status').textContent()).toBe('completed')
  const steps = await page.locator('#progress li').allTextContents()
  // The created task, then each change the events stream carried, ending with completion.
  expect(steps[0]).toBe('pending')
  expect(steps.at(-1)).toBe('completed')
  const width = await page.locator('#image').evaluate((img: HTMLImageElement) => img.naturalWidth)
  expect(width).toBeGreaterThan(0)

  await mkdir(ARTIFACTS, { recursive: true })
  await page.screenshot({ path: join(ARTIFACTS, 'browser-proxy.png'), fullPage: true })

  // The page created one task, then followed its events stream: no polling from the browser.
  const api = requests.filter((r) => r.includes('/api/goapi/'))
  expect(api).toHaveLength(2)
  expect(api[0]).toBe(`POST ${server.url}/api/goapi/api/v1/task`)
  expect(api[1]).toMatch(/^GET .*\/api\/goapi\/api\/v1\/task\/[^/]+\/events$/)
  expect(responses.some((r) => r.url.endsWith('.js'))).toBe(true)
  expect(responses.some((r) => r.url.includes('/files/'))).toBe(true)
  for (const response of responses) {
    expect(response.headers, response.url).not.toContain(KEY)
    const body = await response.body
    if (body) expect(body.toString('latin1').includes(KEY), response.url).toBe(false)
  }
  // Chromium does not hand streamed bodies (the events stream) to the recorder: every byte our
  // server wrote to the page's connections is checked instead, and it holds the events stream.
  const wire = Buffer.concat(sent).toString('latin1')
  expect(wire).toContain('text/event-stream')
  expect(wire).toMatch(/event: task\ndata: \{[^\n]*"status":"completed"/)
  expect(wire.includes(KEY)).toBe(false)
  const unrecorded = responses.filter((r) => !r.url.startsWith(`${server.url}/`))
  for (const r of unrecorded) expect(await r.body, r.url).toBeDefined()
  await page.close()
})

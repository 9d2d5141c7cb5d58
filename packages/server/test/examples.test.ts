// Every example in examples/, served for real on 127.0.0.1 with the simulator upstream (only the
// server's key works), driven by the SDK in proxy mode as a browser would.
import { build } from 'esbuild'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createProxyClient } from '@goapi/client'
import { txt2img } from '@goapi/flux'
import { startMock, type MockServer } from '@goapi/mock'
import { Miniflare } from 'miniflare'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { toNodeListener } from '../src/index.js'
import { createApp as createExpressApp } from '../examples/express/app.js'
import { createApp as createHonoApp } from '../examples/hono/app.js'
import { SERVER_KEY, listen, type Listening } from './helpers.js'

let mock: MockServer
beforeAll(async () => {
  mock = await startMock({ keys: [SERVER_KEY], latency: { pendingMs: 20, processingMs: 80 } })
})
afterAll(() => mock.close())

const env = () => ({ GOAPI_API_KEY: SERVER_KEY, GOAPI_BASE_URL: mock.url })

/** txt2img in proxy mode; asserts that wait() followed the events stream and never polled. */
async function runFlux(base: string, fetchFn: typeof fetch = fetch) {
  const urls: string[] = []
  const recording: typeof fetch = (input, init) => {
    const request = input instanceof Request ? input : undefined
    urls.push(`${init?.method ?? request?.method ?? 'GET'} ${request ? request.url : String(input)}`)
    return fetchFn(input, init)
  }
  const goapi = createProxyClient({ baseUrl: base, fetch: recording })
  const progress: string[] = []
  const task = await txt2img(
    goapi,
    { prompt: 'a bear' },
    { model: 'Qubico/flux1-schnell', onProgress: (t) => progress.push(t.status) },
  )
  expect(task.status).toBe('completed')
  expect(task.output.image_url).toContain(mock.url)
  expect(progress.at(-1)).toBe('completed')
  expect(urls).toEqual([`POST ${base}/api/v1/task`, `GET ${base}/api/v1/task/${task.task_id}/events`])
  return task
}

describe('Next.js route handler (examples/nextjs/app/api/goapi/[...path]/route.ts)', () => {
  // `next` itself is not installed here (a large download and a build per run): the route module
  // is tested on the contract Next.js calls it with, Web Request in and Web Response out.
  type Route = Record<'GET' | 'POST' | 'DELETE', (request: Request) => Promise<Response>> & { dynamic: string }
  let route: Route
  let server: Listening
  beforeAll(async () => {
    Object.assign(process.env, env())
    route = (await import('../examples/nextjs/app/api/goapi/[...path]/route.js')) as unknown as Route
    server = await listen(
      toNodeListener((request) => {
        const handler = route[request.method as keyof Route]
        return typeof handler === 'function' ? handler(request) : new Response(null, { status: 405 })
      }),
    )
  })
  afterAll(() => server.close())

  it('exports POST, GET and DELETE as the same handler, and is dynamic', () => {
    expect(route.POST).toBe(route.GET)
    expect(route.DELETE).toBe(route.GET)
    expect(route.dynamic).toBe('force-dynamic')
  })

  it('the exported handlers answer Web Requests: a disallowed model is refused before GoAPI', async () => {
    const before = mock.state.created
    const answer = await route.POST(
      new Request('http://localhost:3000/api/goapi/api/v1/task', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': 'browser-key' },
        body: JSON.stringify({ model: 'Qubico/flux1-dev', task_type: 'txt2img', input: { prompt: 'a' } }),
      }),
    )
    expect(answer.status).toBe(403)
    expect(mock.state.created).toBe(before)
  })

  it('txt2img through the route completes', async () => {
    await runFlux(`${server.url}/api/goapi`)
  })
})

describe('Express (examples/express/app.ts)', () => {
  let server: Listening
  beforeAll(async () => {
    server = await listen(createExpressApp(env()))
  })
  afterAll(() => server.close())

  it("the app's authorize hook refuses a call without a session, before GoAPI", async () => {
    const before = mock.state.created
    const answer = await fetch(`${server.url}/api/goapi/api/v1/task`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'Qubico/flux1-schnell', task_type: 'txt2img', input: { prompt: 'a' } }),
    })
    expect(answer.status).toBe(401)
    expect(mock.state.created).toBe(before)
    expect(await (await fetch(`${server.url}/health`)).json()).toEqual({ ok: true })
  })

  it('txt2img through the mounted proxy completes (with a session)', async () => {
    const withSession: typeof fetch = (input, init) => {
      const request = new Request(input, init)
      request.headers.set('cookie', 'session=abc')
      return fetch(request)
    }
    await runFlux(`${server.url}/api/goapi`, withSession)
  })
})

describe('Hono (examples/hono/app.ts)', () => {
  it('txt2img through app.fetch served by toNodeListener completes', async () => {
    const app = createHonoApp(env())
    const server = await listen(toNodeListener((request) => app.fetch(request)))
    try {
      await runFlux(`${server.url}/api/goapi`)
    } finally {
      await server.close()
    }
  })
})

describe('Cloudflare Worker (examples/worker/worker.ts)', () => {
  let dir: string
  let mf: Miniflare
  let url: string
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'goapi-server-worker-'))
    const outfile = join(dir, 'worker.mjs')
    // Bundled as wrangler does, from the built package (dist), so the published code runs in workerd.
    await build({
      entryPoints: [fileURLToPath(new URL('../examples/worker/worker.ts', import.meta.url))],
      bundle: true,
      format: 'esm',
      platform: 'neutral',
      target: 'es2022',
      conditions: ['workerd', 'worker', 'browser'],
      mainFields: ['module', 'main'],
      alias: { '@goapi/server': fileURLToPath(new URL('../dist/index.mjs', import.meta.url)) },
      outfile,
      logLevel: 'silent',
    })
    mf = new Miniflare({
      modules: true,
      modulesRoot: dir,
      scriptPath: outfile,
      compatibilityDate: '2026-04-01',
      bindings: env(),
    })
    url = (await mf.ready).href.replace(/\/$/, '')
  })
  afterAll(async () => {
    await mf?.dispose()
    await rm(dir, { recursive: true, force: true })
  })

  it('validates in workerd (no code generation): invalid input gets 400 with the field', async () => {
    const answer = await fetch(`${url}/api/goapi/api/v1/task`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'Qubico/flux1-schnell', task_type: 'txt2img', input: { prompt: 'a', width: 'x' } }),
    })
    expect(answer.status).toBe(400)
    const body = (await answer.json()) as { data: { errors: Array<{ path: string }> } }
    expect(body.data.errors.map((e) => e.path)).toContain('input.width')
  })

  it('txt2img through the worker completes, following its events stream', async () => {
    await runFlux(`${url}/api/goapi`)
  })
})

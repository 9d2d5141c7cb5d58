// Every example in examples/, served for real on 127.0.0.1 with the simulator upstream (only the
// server's key works), driven by the SDK in proxy mode as a browser would.
import { spawn } from 'node:child_process'
import { createRequire } from 'node:module'
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
import { FLUX, SERVER_KEY, listen, post, readEvents, relay, type Listening, type Seen } from './helpers.js'

let mock: MockServer
beforeAll(async () => {
  mock = await startMock({ keys: [SERVER_KEY], latency: { pendingMs: 20, processingMs: 80 } })
})
afterAll(() => mock.close())

const env = () => ({ GOAPI_API_KEY: SERVER_KEY, GOAPI_BASE_URL: mock.url })

interface NextProcess {
  /** Resolves with the exit code (or signal) of `next`. */
  exited: Promise<number | string | null>
  /** Resolves with the served origin once `next start` is ready. */
  ready: Promise<string>
  output(): string
  /** Ends the whole process group (Next.js starts workers of its own). */
  stop(): Promise<void>
}

const NEXT_BIN = createRequire(import.meta.url).resolve('next/dist/bin/next')
const NEXT_APP = fileURLToPath(new URL('../examples/nextjs/', import.meta.url))

/** `next <args>` in the example app, in a process group of its own, with only `extra` of GoAPI's settings. */
function startNext(args: string[], extra: Record<string, string>): NextProcess {
  const environment: NodeJS.ProcessEnv = { ...process.env, NEXT_TELEMETRY_DISABLED: '1', ...extra }
  // Next.js sets NODE_ENV itself (vitest's `test` is not one it supports); no key unless given.
  for (const name of ['NODE_ENV', 'GOAPI_API_KEY', 'GOAPI_BASE_URL']) if (!(name in extra)) delete environment[name]
  const child = spawn(process.execPath, [NEXT_BIN, ...args], {
    cwd: NEXT_APP,
    env: environment,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const pid = child.pid
  const killGroup = (signal: NodeJS.Signals) => {
    try {
      if (pid) process.kill(-pid, signal)
    } catch {
      // already gone
    }
  }
  const onExit = () => killGroup('SIGKILL')
  process.once('exit', onExit)
  let output = ''
  const exited = new Promise<number | string | null>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? signal))
    child.once('error', (error) => {
      output += String(error)
      resolve(null)
    })
  })
  const ready = new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8')
      const origin = /Local:\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1]
      if (origin && /Ready in/.test(output)) resolve(origin)
    }
    child.stdout.on('data', onData)
    child.stderr.on('data', onData)
    void exited.then((code) => reject(new Error(`next ${args.join(' ')} exited with ${String(code)}:\n${output}`)))
  })
  ready.catch(() => undefined)
  return {
    exited,
    ready,
    output: () => output,
    async stop() {
      killGroup('SIGTERM')
      const grace = new Promise((resolve) => setTimeout(resolve, 5_000).unref())
      await Promise.race([exited, grace])
      killGroup('SIGKILL')
      process.off('exit', onExit)
    },
  }
}

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

describe('Next.js (examples/nextjs: `next build`, then `next start`)', () => {
  // The real framework: the app is built without any key in the environment (Next.js loads the
  // route module at build time too), then served on a free port with the server's key.
  let upstream: Listening & { seen: Seen[] }
  let building: NextProcess | undefined
  let app: NextProcess | undefined
  let base: string
  beforeAll(async () => {
    upstream = await relay(mock.url)
    building = startNext(['build'], {})
    const code = await building.exited
    await building.stop()
    if (code !== 0) throw new Error(`next build exited with ${String(code)}:\n${building.output()}`)
    app = startNext(['start', '--hostname', '127.0.0.1', '--port', '0'], {
      GOAPI_API_KEY: SERVER_KEY,
      GOAPI_BASE_URL: upstream.url,
    })
    base = `${await app.ready}/api/goapi`
  }, 240_000)
  afterAll(async () => {
    await building?.stop()
    await app?.stop()
    await upstream?.close()
  })

  it('txt2img through the route completes, following its events stream', async () => {
    await runFlux(base)
  })

  it('a disallowed model gets 403 and nothing is created at GoAPI', async () => {
    const before = { created: mock.state.created, seen: upstream.seen.length }
    const answer = await post(`${base}/api/v1/task`, { ...FLUX, model: 'Qubico/flux1-dev' })
    expect(answer.status).toBe(403)
    expect(((await answer.json()) as { message: string }).message).toContain('Qubico/flux1-dev')
    expect(mock.state.created).toBe(before.created)
    expect(upstream.seen.length).toBe(before.seen)
  })

  it("the browser's x-api-key is not forwarded, and no answer carries the server key", async () => {
    const before = upstream.seen.length
    const answers: Response[] = []
    const send = async (path: string, init?: RequestInit) => {
      const answer = await fetch(`${base}${path}`, init)
      answers.push(answer.clone())
      return answer
    }
    const browser = { 'content-type': 'application/json', 'x-api-key': 'browser-key' }
    const created = await send('/api/v1/task', { method: 'POST', headers: browser, body: JSON.stringify(FLUX) })
    expect(created.status).toBe(200)
    const { task_id: taskId } = ((await created.json()) as { data: { task_id: string } }).data
    expect(mock.state.get(taskId)?.apiKey).toBe(SERVER_KEY)
    const events = await readEvents(await send(`/api/v1/task/${taskId}/events`, { headers: browser }))
    expect(events.at(-1)?.event).toBe('end')
    expect((await send(`/api/v1/task/${taskId}`, { headers: browser })).status).toBe(200)
    const invalid = { ...FLUX, input: { prompt: 'a', width: 'x' } }
    expect(
      (await send('/api/v1/task', { method: 'POST', headers: browser, body: JSON.stringify(invalid) })).status,
    ).toBe(400)
    expect((await send('/api/v1/nothing', { headers: browser })).status).toBe(404)

    const seen = upstream.seen.slice(before)
    expect(seen.length).toBeGreaterThan(1)
    for (const request of seen) expect(request.headers['x-api-key']).toBe(SERVER_KEY)
    expect(JSON.stringify(seen)).not.toContain('browser-key')
    for (const answer of answers) {
      expect(await answer.text()).not.toContain(SERVER_KEY)
      expect(JSON.stringify([...answer.headers])).not.toContain(SERVER_KEY)
    }
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

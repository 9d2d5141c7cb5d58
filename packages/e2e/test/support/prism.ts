// Prism, an independent spec-driven mock server, on the bundled spec: started once per test file,
// with a `fetch` that records Prism's verdict on each request our client sends it.
import { spawn, type ChildProcess } from 'node:child_process'
import { createRequire } from 'node:module'
import { createServer } from 'node:net'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect } from 'vitest'

const require = createRequire(import.meta.url)
const specFile = require.resolve('@goapi/spec/openapi.json')
const prismBin = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../node_modules/@stoplight/prism-cli/dist/index.js',
)

/** What Prism answered to the last request. */
export interface Seen {
  status: number
  violations: string | null
  body: string
}

export interface Prism {
  url: string
  /** `fetch` that records Prism's answer to every request; give it to `createClient({ fetch })`. */
  fetch: typeof fetch
  /** Prism's answer to the last request since `reset()`. */
  last(): Seen | undefined
  reset(): void
  close(): Promise<void>
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number }
      srv.close(() => resolve(port))
    })
  })
}

export async function startPrism(): Promise<Prism> {
  const port = await freePort()
  const child: ChildProcess = spawn(
    process.execPath,
    [prismBin, 'mock', specFile, '--host', '127.0.0.1', '--port', String(port), '--errors'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  )
  let output = ''
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8')
      if (output.includes('Prism is listening')) resolve()
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', onData)
    child.once('exit', (code) => reject(new Error(`prism exited with ${code}:\n${output}`)))
  })
  let seen: Seen | undefined
  return {
    url: `http://127.0.0.1:${port}`,
    async fetch(input, init) {
      const response = await fetch(input, init)
      seen = {
        status: response.status,
        violations: response.headers.get('sl-violations'),
        body: response.ok ? '' : await response.clone().text(),
      }
      return response
    },
    last: () => seen,
    reset: () => {
      seen = undefined
    },
    async close() {
      if (child.exitCode !== null) return
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGTERM')
      await exited
    },
  }
}

/**
 * Prism cannot mock a text/event-stream answer whose schema is an object (the GPTs conversation
 * stream): it validates the request, then answers 500 with this error type.
 */
export function isUnmockableStream(seen: Seen | undefined): boolean {
  return seen?.status === 500 && seen.body.includes('prism/errors#NO_COMPLEX_OBJECT_TEXT')
}

/** Prism's verdict on a request: no error-level violation, no 422, and a 2xx/3xx (or an unmockable stream). */
export function expectAccepted(seen: Seen | undefined, what: string): void {
  expect(seen, what).toBeDefined()
  const violations = seen?.violations
    ? (JSON.parse(seen.violations) as Array<{ severity?: string; message?: string; path?: unknown }>)
    : []
  expect(
    violations.filter((v) => v.severity === 'Error'),
    `${what}: ${seen?.violations ?? ''}`,
  ).toEqual([])
  expect(seen?.status, `${what}: status`).not.toBe(422)
  if (isUnmockableStream(seen)) return
  expect(seen?.status, `${what}: status ${seen?.body ?? ''}`).toBeLessThan(400)
}

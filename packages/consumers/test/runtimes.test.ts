// The packed-tarball round trip (create → wait → typed result → output file) as plain ESM and
// CommonJS, on this Node, Node 24 (the `node` npm package), Bun and Deno (their npm packages).
import { copyFile, mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { beforeAll, describe, expect, inject, it } from 'vitest'
import { PINS, run } from './shared.js'

const appDir = inject('appDir')
const mockUrl = inject('mockUrl')
const dir = join(appDir, 'smoke')
const fixtures = fileURLToPath(new URL('./fixtures/smoke/', import.meta.url))

beforeAll(async () => {
  await mkdir(dir, { recursive: true })
  for (const f of ['smoke.mjs', 'smoke.cjs', 'save.mjs', 'save.cjs']) await copyFile(join(fixtures, f), join(dir, f))
})

interface SmokeResult {
  format: 'esm' | 'cjs'
  status: string
  model: string
  url: string
  png: boolean
}

async function smoke(cmd: string, args: string[]): Promise<SmokeResult> {
  const r = await run(cmd, args, { cwd: dir, env: { GOAPI_BASE_URL: mockUrl, NO_COLOR: '1' } })
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.code}:\n${r.stdout}\n${r.stderr}`)
  const line = r.stdout.trim().split('\n').pop() ?? ''
  return JSON.parse(line) as SmokeResult
}

function expectRoundTrip(result: SmokeResult, format: 'esm' | 'cjs'): void {
  expect(result).toEqual({
    format,
    status: 'completed',
    model: 'Qubico/flux1-schnell', // the spec's defaultModel of Flux txt2img
    url: expect.stringMatching(`^${mockUrl}/files/`) as unknown,
    png: true,
  })
}

const npx = (pkg: string, ...args: string[]): [string, string[]] => ['npx', ['-y', pkg, ...args]]

const runtimes: Array<{ name: string; esm: [string, string[]]; cjs: [string, string[]] }> = [
  {
    name: `Node ${process.versions.node}`,
    esm: [process.execPath, ['smoke.mjs']],
    cjs: [process.execPath, ['smoke.cjs']],
  },
  {
    name: `Node ${PINS.node24}`,
    esm: npx(`node@${PINS.node24}`, 'smoke.mjs'),
    cjs: npx(`node@${PINS.node24}`, 'smoke.cjs'),
  },
  { name: `Bun ${PINS.bun}`, esm: npx(`bun@${PINS.bun}`, 'smoke.mjs'), cjs: npx(`bun@${PINS.bun}`, 'smoke.cjs') },
  {
    name: `Deno ${PINS.deno}`,
    esm: npx(`deno@${PINS.deno}`, 'run', '--allow-net=127.0.0.1', '--allow-env', '--allow-read', 'smoke.mjs'),
    cjs: npx(`deno@${PINS.deno}`, 'run', '--allow-net=127.0.0.1', '--allow-env', '--allow-read', 'smoke.cjs'),
  },
]

describe.each(runtimes)('$name', (runtime) => {
  it('imports the packed packages as ESM and completes a typed task', async () => {
    expectRoundTrip(await smoke(...runtime.esm), 'esm')
  })
  it('requires the packed packages as CommonJS and completes a typed task', async () => {
    expectRoundTrip(await smoke(...runtime.cjs), 'cjs')
  })
})

// @goapi/client/node is Node-only: checked on this Node, as ESM and CommonJS.
describe('@goapi/client/node', () => {
  it.each([['save.mjs'], ['save.cjs']])(
    '%s saves the output file, and refuses the loopback URL by default',
    async (file) => {
      const r = await run(process.execPath, [file], { cwd: dir, env: { GOAPI_BASE_URL: mockUrl, NO_COLOR: '1' } })
      expect(r.code, r.stderr).toBe(0)
      expect(JSON.parse(r.stdout.trim().split('\n').pop() ?? '')).toEqual({
        format: file.endsWith('.mjs') ? 'esm' : 'cjs',
        saved: [true],
        blocked: ['blocked_host'],
      })
    },
  )
})

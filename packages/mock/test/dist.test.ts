// Smoke tests of the built package (run `pnpm build` first; turbo's test task does).
import { execFileSync, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const dist = (name: string) => fileURLToPath(new URL(`../dist/${name}`, import.meta.url))

const SMOKE = (load: string) => `
  ${load}
  startMock().then(async (mock) => {
    const res = await fetch(mock.url + '/api/v1/task', { method: 'POST', headers: { 'x-api-key': 'k' }, body: JSON.stringify({ model: 'Qubico/flux1-dev', task_type: 'txt2img', input: { prompt: 'x' } }) })
    const body = await res.json()
    await mock.close()
    console.log(res.status + ' ' + body.data.status)
  })`

describe('built package', () => {
  it('is built', () => {
    for (const file of ['index.mjs', 'index.cjs', 'index.d.mts', 'index.d.cts', 'bin.mjs'])
      expect(existsSync(dist(file)), `dist/${file} (run pnpm build)`).toBe(true)
  })

  it('loads with require (CJS)', () => {
    const out = execFileSync(
      process.execPath,
      ['-e', SMOKE(`const { startMock } = require(${JSON.stringify(dist('index.cjs'))})`)],
      { encoding: 'utf8' },
    )
    expect(out.trim()).toBe('200 completed')
  })

  it('loads with import (ESM)', () => {
    const out = execFileSync(
      process.execPath,
      ['--input-type=module', '-e', SMOKE(`import { startMock } from ${JSON.stringify(dist('index.mjs'))}`)],
      { encoding: 'utf8' },
    )
    expect(out.trim()).toBe('200 completed')
  })

  it('goapi-mock logs one line per request', async () => {
    const child = spawn(process.execPath, [dist('bin.mjs'), '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] })
    try {
      const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]()
      const first = String((await lines.next()).value)
      const url = /listening on (http:\/\/\S+)/.exec(first)?.[1]
      expect(url, first).toBeDefined()
      expect((await fetch(`${url}/account/info`, { headers: { 'x-api-key': 'k' } })).status).toBe(200)
      expect((await fetch(`${url}/nope`)).status).toBe(404)
      expect(String((await lines.next()).value)).toMatch(/^GET \/account\/info 200 \d+ms$/)
      expect(String((await lines.next()).value)).toMatch(/^GET \/nope 404 \d+ms$/)
    } finally {
      child.kill('SIGTERM')
    }
  })
})

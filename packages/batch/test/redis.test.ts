// Distributed batches: BullMQ on Debian's redis-server (started here on a free loopback port).
// Three workers, two of them killed with SIGKILL mid-run: every row completed, and the simulator
// counts exactly one create per row.
import { join } from 'node:path'
import { startMock } from '@goapi/mock'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { fluxRows, readResults, startCli, startRedis, tasksPerPrompt, tempDir, until, writeLines } from './helpers.js'

let mock: Awaited<ReturnType<typeof startMock>>
let redis: Awaited<ReturnType<typeof startRedis>>
beforeAll(async () => {
  mock = await startMock({ latency: { pendingMs: 0, processingMs: 0 }, maxTasks: 100_000 })
  redis = await startRedis()
})
afterAll(async () => {
  await mock?.close()
  await redis?.stop()
})

it('3 workers, 2 killed with SIGKILL mid-run: every row completed, exactly one create per row', async () => {
  const rows = 1000
  const dir = await tempDir()
  const input = await writeLines(join(dir, 'prompts.jsonl'), fluxRows(rows, 'queue'))
  const out = join(dir, 'out')
  const workerArgs = ['batch', 'worker', '--queue', redis.url, '--concurrency', '10', '--lock-ms', '3000']
  const tuning = ['--poll-interval', '5', '--reconcile-after', '500']
  const workers = [0, 1, 2].map(() => startCli([...workerArgs, ...tuning], mock.url))
  const coordinator = startCli(['batch', 'run', input, '--out', out, '--queue', redis.url, '--no-download'], mock.url)
  try {
    await until(() => mock.state.created >= 150 + Math.floor(Math.random() * 200))
    workers[0]?.child.kill('SIGKILL')
    await until(() => mock.state.created >= 450 + Math.floor(Math.random() * 200))
    workers[1]?.child.kill('SIGKILL')
    const done = await coordinator.exit
    expect(done.code, done.stderr).toBe(0)
    const results = await readResults(out)
    expect(results).toHaveLength(rows)
    expect(results.filter((r) => r.status === 'completed')).toHaveLength(rows)
    expect(mock.state.created).toBe(rows)
    expect(Math.max(...tasksPerPrompt(mock.state.tasks.values()).values())).toBe(1)
    expect((await workers[0]?.exit)?.signal).toBe('SIGKILL')
    expect((await workers[1]?.exit)?.signal).toBe('SIGKILL')
  } finally {
    for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGTERM')
    await Promise.all(workers.map((w) => w.exit))
  }
})

// The exactly-once guarantee under kill -9: the CLI is killed at random points and resumed; the
// simulator's own count of creates must equal the row count, with every row completed.
import { join } from 'node:path'
import { startMock } from '@goapi/mock'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fluxRows, readResults, runCli, startCli, tasksPerPrompt, tempDir, until, writeLines } from './helpers.js'

let mock: Awaited<ReturnType<typeof startMock>>
beforeAll(async () => {
  mock = await startMock({ latency: { pendingMs: 0, processingMs: 0 }, maxTasks: 100_000 })
})
afterAll(() => mock.close())

const FAST = ['--concurrency', '20', '--poll-interval', '5', '--reconcile-after', '500', '--no-download']

describe('kill -9 and resume', () => {
  it('2,000 rows, killed 3 times at random points: every row completed, exactly 2,000 creates', async () => {
    mock.state.reset()
    const dir = await tempDir()
    const input = await writeLines(join(dir, 'prompts.jsonl'), fluxRows(2000, 'crash'))
    const out = join(dir, 'out')
    // Kill points: random create counts inside three windows of the run.
    const points = [100, 700, 1300].map((start) => start + Math.floor(Math.random() * 500))
    let first = true
    for (const point of points) {
      const args = first ? ['batch', 'run', input, '--out', out, ...FAST] : ['batch', 'resume', out, ...FAST]
      first = false
      const { child, exit } = startCli(args, mock.url)
      let ended = false
      void exit.then(() => (ended = true))
      await until(() => mock.state.created >= point || ended)
      child.kill('SIGKILL')
      const result = await exit
      expect(result.signal, `the CLI ended before the kill at ${point} creates: ${result.stderr}`).toBe('SIGKILL')
    }
    const last = await runCli(['batch', 'resume', out, ...FAST], mock.url)
    expect(last.code, last.stderr).toBe(0)
    const results = await readResults(out)
    expect(results).toHaveLength(2000)
    expect(results.filter((r) => r.status === 'completed')).toHaveLength(2000)
    expect(new Set(results.map((r) => r.task_id)).size).toBe(2000)
    expect(mock.state.created, `kill points ${points.join(', ')}`).toBe(2000)
    expect(Math.max(...tasksPerPrompt(mock.state.tasks.values()).values())).toBe(1)
    const status = await runCli(['batch', 'status', out, '--json'], mock.url)
    expect(status.code).toBe(0)
    expect(JSON.parse(status.stdout)).toMatchObject({ total: 2000, byStatus: { completed: 2000 } })
  })

  it('faults on create (lost answers after the task was recorded, 502s, resets, timeouts) plus a kill: never a second task', async () => {
    mock.state.reset()
    mock.faults.clear()
    const dir = await tempDir()
    const rows = 400
    const input = await writeLines(join(dir, 'prompts.jsonl'), fluxRows(rows, 'faults'))
    const out = join(dir, 'out')
    mock.faults.add({ route: 'POST /api/v1/task', status: 500, afterRecord: true, times: 6 })
    mock.faults.add({ route: 'POST /api/v1/task', status: 502, times: 6 })
    mock.faults.add({ route: 'POST /api/v1/task', reset: true, afterRecord: true, times: 6 })
    mock.faults.add({ route: 'POST /api/v1/task', body: 'html', times: 4 })
    mock.faults.add({ route: 'POST /api/v1/task', delayMs: 1_000, times: 4 })
    const args = [...FAST.slice(0, 4), '--no-download', '--reconcile-after', '2500', '--request-timeout', '300']
    const { child, exit } = startCli(['batch', 'run', input, '--out', out, ...args], mock.url)
    await until(() => mock.state.created >= 150)
    child.kill('SIGKILL')
    await exit
    const last = await runCli(['batch', 'resume', out, ...args], mock.url)
    const results = await readResults(out)
    expect(results).toHaveLength(rows)
    for (const r of results) expect(['completed', 'unknown'], JSON.stringify(r)).toContain(r.status)
    const perPrompt = tasksPerPrompt(mock.state.tasks.values())
    expect(Math.max(...perPrompt.values())).toBe(1)
    const completed = results.filter((r) => r.status === 'completed')
    expect(mock.state.created).toBeGreaterThanOrEqual(completed.length)
    expect(mock.state.created).toBeLessThanOrEqual(rows)
    expect(new Set(completed.map((r) => r.task_id)).size).toBe(completed.length)
    expect(last.code).toBe(completed.length === rows ? 0 : 1)
    mock.faults.clear()
  })
})

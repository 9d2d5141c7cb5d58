// Runs in its own file (own worker) so the resource check sees only what this test created.
import { describe, expect, it } from 'vitest'
import { AbortError, TimeoutError, createClient } from '../src/index.js'
import { fault, json, startFaultServer, task } from './fault-server.js'

function leftovers(): string[] {
  return process.getActiveResourcesInfo().filter((r) => r === 'Timeout' || r === 'TCPSocketWrap' || r === 'Immediate')
}

async function drained(before: number): Promise<string[]> {
  // Give closed sockets a few turns of the event loop to be released; bounded, not timed.
  for (let i = 0; i < 200 && leftovers().length > before; i++) await new Promise((resolve) => setImmediate(resolve))
  return leftovers()
}

describe('1,000 concurrent waits', () => {
  it('all settle with random aborts and deadlines, and leave no timers or sockets behind', async () => {
    const before = leftovers().length
    const polls = new Map<string, number>()
    const server = await startFaultServer((_req, res, hit) => {
      const id = hit.url.split('/').pop() ?? ''
      const n = (polls.get(id) ?? 0) + 1
      polls.set(id, n)
      if (n % 5 === 0) return fault(res, 'reset') // transient failures along the way
      if (n % 7 === 0) return fault(res, '503')
      const finishAt = Number(id.split('-')[1])
      json(res, 200, { code: 200, data: task(id, n >= finishAt ? 'completed' : n > 1 ? 'processing' : 'pending') })
    })
    const goapi = createClient({
      apiKey: 'sk-concurrency',
      baseUrl: server.url,
      timeoutMs: 2_000,
      retry: { initialDelayMs: 1, maxDelayMs: 5 },
    })
    const timers: NodeJS.Timeout[] = []
    const outcomes = { completed: 0, aborted: 0, timedOut: 0 }
    try {
      const waits = Array.from({ length: 1000 }, (_, i) => {
        const finishAt = 1 + Math.floor(Math.random() * 12)
        const controller = new AbortController()
        const mode = i % 3
        if (mode === 0) timers.push(setTimeout(() => controller.abort(new Error('user gave up')), Math.random() * 100))
        return goapi.wait(`t${i}-${finishAt}`, {
          signal: controller.signal,
          timeoutMs: mode === 1 ? 5 + Math.random() * 100 : 60_000,
          poll: { initialDelayMs: 1, maxDelayMs: 10 },
        })
      })
      const settled = await Promise.allSettled(waits)
      for (const r of settled) {
        if (r.status === 'fulfilled') outcomes.completed++
        else if (r.reason instanceof AbortError) outcomes.aborted++
        else if (r.reason instanceof TimeoutError) outcomes.timedOut++
        else throw new Error(`unexpected outcome: ${String(r.reason)}`, { cause: r.reason })
      }
    } finally {
      for (const t of timers) clearTimeout(t)
      await server.close()
    }
    expect(outcomes.completed + outcomes.aborted + outcomes.timedOut).toBe(1000)
    expect(outcomes.completed).toBeGreaterThan(0)
    expect(outcomes.aborted).toBeGreaterThan(0)
    expect(outcomes.timedOut).toBeGreaterThan(0)
    const after = await drained(before)
    expect(after.length).toBeLessThanOrEqual(before)
  }, 120_000)
})

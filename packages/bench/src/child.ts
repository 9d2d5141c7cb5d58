// Runs a TypeScript worker of this package in its own Node process (through tsx) and talks to it over IPC.
import { fork, type ChildProcess } from 'node:child_process'
import path from 'node:path'
import { BENCH_DIR } from './paths.js'

export interface Worker {
  process: ChildProcess
  /** Resolves with the next message the worker sends. */
  next<T>(): Promise<T>
  send(message: unknown): void
  /** Resolves when the worker has exited. */
  exited: Promise<number | null>
}

export function startWorker(name: string, args: string[] = [], nodeFlags: string[] = []): Worker {
  const child = fork(path.join(BENCH_DIR, 'src/workers', `${name}.ts`), args, {
    cwd: BENCH_DIR,
    execArgv: ['--import', 'tsx', ...nodeFlags],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const queue: unknown[] = []
  const waiting: { resolve: (m: unknown) => void; reject: (e: Error) => void }[] = []
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  child.on('message', (message) => {
    const w = waiting.shift()
    if (w) w.resolve(message)
    else queue.push(message)
  })
  void exited.then((code) => {
    for (const w of waiting.splice(0)) w.reject(new Error(`worker ${name} exited (code ${code}) before answering`))
  })
  return {
    process: child,
    next<T>() {
      if (queue.length > 0) return Promise.resolve(queue.shift() as T)
      if (child.exitCode !== null) return Promise.reject(new Error(`worker ${name} has exited`))
      return new Promise<T>((resolve, reject) => waiting.push({ resolve: resolve as (m: unknown) => void, reject }))
    },
    send(message) {
      child.send(message as object)
    },
    exited,
  }
}

export interface MockProcess {
  url: string
  close(): Promise<void>
}

async function serverProcess(worker: Worker): Promise<MockProcess> {
  const ready = await worker.next<{ type: 'ready'; url: string }>()
  return {
    url: ready.url,
    async close() {
      worker.send({ type: 'close' })
      await worker.exited
    },
  }
}

/** Starts the canned server (fixed envelopes, ../canned.ts) in a child process. */
export function startCannedProcess(options: { completeAfterMs: number }): Promise<MockProcess> {
  return serverProcess(startWorker('canned-server', [JSON.stringify(options)]))
}

/** Starts `@goapi/mock` (the validating simulator) in a child process, so its CPU and memory are not the client's. */
export function startMockProcess(
  latency: { pendingMs: number; processingMs: number },
  extra: { accounts?: Record<string, { credits?: number; concurrency?: number }> } = {},
): Promise<MockProcess> {
  return serverProcess(startWorker('mock-server', [JSON.stringify(latency), JSON.stringify(extra)]))
}

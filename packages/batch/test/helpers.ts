// Test support: the built CLI as a child process, input files, and a Redis server of our own.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const CLI = fileURLToPath(new URL('../../cli/dist/bin.mjs', import.meta.url))

export const tempDir = () => mkdtemp(join(tmpdir(), 'goapi-batch-'))

/** `n` flux requests with distinct prompts (`<tag> <i>`). */
export function fluxRows(n: number, tag = 'row'): string[] {
  return Array.from({ length: n }, (_, i) =>
    JSON.stringify({ model: 'Qubico/flux1-schnell', task_type: 'txt2img', input: { prompt: `${tag} ${i + 1}` } }),
  )
}

export async function writeLines(file: string, lines: string[]): Promise<string> {
  await writeFile(file, `${lines.join('\n')}\n`)
  return file
}

export interface Exit {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

/** Starts the CLI against `baseUrl`; `exit` resolves when it ends. */
export function startCli(args: string[], baseUrl: string, env: Record<string, string> = {}) {
  const child: ChildProcess = spawn(process.execPath, [CLI, ...args], {
    env: { PATH: process.env.PATH ?? '', GOAPI_API_KEY: 'batch-test-key', GOAPI_BASE_URL: baseUrl, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()))
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()))
  const exit = new Promise<Exit>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr })),
  )
  return { child, exit }
}

export async function runCli(args: string[], baseUrl: string, env: Record<string, string> = {}): Promise<Exit> {
  return startCli(args, baseUrl, env).exit
}

/** Resolves once `check()` is true (polled every 5 ms). */
export async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((r) => setTimeout(r, 5))
}

export async function readResults(dir: string): Promise<Array<Record<string, unknown>>> {
  const text = await readFile(join(dir, 'results.jsonl'), 'utf8')
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>)
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

/** Debian's redis-server on a free loopback port, without persistence; `stop()` ends it. */
export async function startRedis(): Promise<{ url: string; stop: () => Promise<void> }> {
  const port = await freePort()
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  await new Promise<void>((resolve, reject) => {
    let out = ''
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString()
      if (out.includes('Ready to accept connections')) resolve()
    })
    child.once('error', reject)
    child.once('exit', (code) => reject(new Error(`redis-server exited (${code}): ${out}`)))
  })
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve()
        child.once('exit', () => resolve())
        child.kill('SIGTERM')
      }),
  }
}

/** How many of the simulator's tasks each prompt has. */
export function tasksPerPrompt(tasks: Iterable<{ input: Record<string, unknown> }>): Map<string, number> {
  const counts = new Map<string, number>()
  for (const t of tasks) {
    const p = String(t.input.prompt)
    counts.set(p, (counts.get(p) ?? 0) + 1)
  }
  return counts
}

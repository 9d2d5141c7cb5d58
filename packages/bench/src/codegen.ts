// (6) Codegen and build: wall time of whole-repo commands (`pnpm generate --check`, `pnpm build`
// with a warm turbo cache), each run a few times after one untimed warm-up.
import { execFileSync, spawn } from 'node:child_process'
import { performance } from 'node:perf_hooks'
import { REPO_ROOT } from './paths.js'
import { stat, type Stat } from './stats.js'

export interface TimedCommand {
  name: string
  command: string
  args: string[]
  /** Runs once, untimed, before the timed runs (to warm caches). */
  warmup?: boolean
}

export interface CommandTiming {
  name: string
  command: string
  wallMs: Stat
  /** For turbo runs: tasks restored from cache / total, from the last run's summary. */
  turboCached?: { cached: number; total: number }
}

export interface CodegenResult {
  runs: number
  commands: CommandTiming[]
}

/**
 * How to run pnpm: `pnpm` itself when it is on PATH (it is under `npx -y pnpm@12.4.2 bench`, which
 * puts its own bin directory there), else through npx (slower by npx's start-up).
 */
export function pnpmCommand(): { command: string; args: string[] } {
  try {
    execFileSync('pnpm', ['--version'], { stdio: 'ignore' })
    return { command: 'pnpm', args: [] }
  } catch {
    return { command: 'npx', args: ['-y', 'pnpm@12.4.2'] }
  }
}

export function defaultCommands(): TimedCommand[] {
  const pnpm = pnpmCommand()
  return [
    { name: 'pnpm generate --check', command: pnpm.command, args: [...pnpm.args, 'generate', '--check'] },
    { name: 'pnpm build (warm turbo cache)', command: pnpm.command, args: [...pnpm.args, 'build'], warmup: true },
  ]
}

function exec(command: string, args: string[]): Promise<{ output: string; ms: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now()
    const child = spawn(command, args, {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' },
    })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.once('error', reject)
    child.once('close', (code) => {
      const ms = performance.now() - started
      if (code === 0) resolve({ output, ms })
      else reject(new Error(`${command} ${args.join(' ')} exited with ${code}:\n${output.slice(-4000)}`))
    })
  })
}

export function parseTurboCached(output: string): { cached: number; total: number } | undefined {
  const m = /Cached:\s+(\d+) cached, (\d+) total/.exec(output)
  return m ? { cached: Number(m[1]), total: Number(m[2]) } : undefined
}

export async function measureCodegen(options: { runs: number; commands?: TimedCommand[] }): Promise<CodegenResult> {
  const commands: CommandTiming[] = []
  for (const c of options.commands ?? defaultCommands()) {
    if (c.warmup) await exec(c.command, c.args)
    const times: number[] = []
    let last = ''
    for (let i = 0; i < options.runs; i++) {
      const { output, ms } = await exec(c.command, c.args)
      times.push(ms)
      last = output
    }
    const cached = parseTurboCached(last)
    commands.push({
      name: c.name,
      command: [c.command, ...c.args].join(' '),
      wallMs: stat(times),
      ...(cached ? { turboCached: cached } : {}),
    })
  }
  return { runs: options.runs, commands }
}

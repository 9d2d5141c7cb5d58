// Runs the built CLI (dist/bin.mjs) as a child process, optionally inside a pseudo-terminal
// made by util-linux `script`.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

export const BIN = resolve(import.meta.dirname, '../dist/bin.mjs')

export interface Result {
  code: number | null
  stdout: string
  stderr: string
}

const made: string[] = []

/** A fresh working folder for one CLI run (removed by `removeTempDirs`). */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'goapi-cli-'))
  made.push(dir)
  return dir
}

export function removeTempDirs(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true })
}

/** The environment of a child: no API key or base URL of the caller's, no CI flag, plus `extra`. */
export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env }
  for (const key of ['GOAPI_API_KEY', 'GOAPI_BASE_URL', 'GOAPI_MOCK_LATENCY_MS', 'CI', 'FORCE_COLOR']) delete env[key]
  return { ...env, NO_COLOR: '1', ...extra }
}

export interface Running {
  child: ChildProcessWithoutNullStreams
  /** Everything printed so far. */
  out(): { stdout: string; stderr: string }
  /** Resolves once stdout or stderr matches `pattern`. */
  waitFor(pattern: RegExp): Promise<RegExpExecArray>
  done: Promise<Result>
}

export function start(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Running {
  const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: 'pipe' })
  let stdout = ''
  let stderr = ''
  const waiters: Array<{ pattern: RegExp; resolve: (m: RegExpExecArray) => void }> = []
  const check = () => {
    for (const w of [...waiters]) {
      const m = w.pattern.exec(stdout) ?? w.pattern.exec(stderr)
      if (m) {
        waiters.splice(waiters.indexOf(w), 1)
        w.resolve(m)
      }
    }
  }
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    stdout += d
    check()
  })
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    stderr += d
    check()
  })
  const done = new Promise<Result>((res) => child.on('close', (code) => res({ code, stdout, stderr })))
  return {
    child,
    out: () => ({ stdout, stderr }),
    waitFor: (pattern) =>
      new Promise((res, rej) => {
        waiters.push({ pattern, resolve: res })
        check()
        void done.then(() => rej(new Error(`exited before printing ${pattern}\nstdout: ${stdout}\nstderr: ${stderr}`)))
      }),
    done,
  }
}

/** Runs `goapi ...args` to completion. */
export function goapi(args: string[], options: { cwd: string; env?: Record<string, string> }): Promise<Result> {
  return start(process.execPath, [BIN, ...args], { cwd: options.cwd, env: childEnv(options.env) }).done
}

const quote = (s: string) => `'${s.replaceAll("'", "'\\''")}'`

/** Starts `goapi ...args` inside a pseudo-terminal (stdin, stdout and stderr are a TTY). */
export function goapiInTty(args: string[], options: { cwd: string; env?: Record<string, string> }): Running {
  // A pseudo-terminal made by `script` from a pipe has no size: give it one, as a real terminal has.
  const command = `stty cols 100 rows 30; ${[process.execPath, BIN, ...args].map(quote).join(' ')}`
  return start('script', ['-qfec', command, '/dev/null'], {
    cwd: options.cwd,
    env: childEnv({ TERM: 'xterm-256color', ...options.env }),
  })
}

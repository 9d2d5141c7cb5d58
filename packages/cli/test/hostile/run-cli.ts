// Runs the built CLI as a child process against a hostile server, keeping stdout and stderr as the
// raw bytes a terminal would receive.
import { spawn } from 'node:child_process'
import { lstatSync, readdirSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { BIN, childEnv } from '../helpers.js'

export const PUBLIC_DNS = resolve(import.meta.dirname, 'public-dns.mjs')

export interface RawResult {
  code: number | null
  stdout: Buffer
  stderr: Buffer
  /** stdout + stderr decoded as UTF-8. */
  text: string
}

export function runCli(
  args: string[],
  options: { cwd: string; env?: Record<string, string>; publicDns?: boolean; onSpawn?: (pid: number) => void },
): Promise<RawResult> {
  const node = options.publicDns ? ['--import', PUBLIC_DNS] : []
  const child = spawn(process.execPath, [...node, BIN, ...args], {
    cwd: options.cwd,
    env: childEnv(options.env),
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  if (child.pid !== undefined) options.onSpawn?.(child.pid)
  const out: Buffer[] = []
  const err: Buffer[] = []
  child.stdout.on('data', (d: Buffer) => out.push(d))
  child.stderr.on('data', (d: Buffer) => err.push(d))
  return new Promise((res) =>
    child.on('close', (code) => {
      const stdout = Buffer.concat(out)
      const stderr = Buffer.concat(err)
      res({ code, stdout, stderr, text: `${stdout.toString('utf8')}\n${stderr.toString('utf8')}` })
    }),
  )
}

/** Every entry below `dir`, relative, symlinks listed but not followed. */
export function tree(dir: string): string[] {
  const out: string[] = []
  const walk = (rel: string) => {
    for (const name of readdirSync(join(dir, rel))) {
      const path = rel ? `${rel}/${name}` : name
      out.push(path)
      if (lstatSync(join(dir, path)).isDirectory()) walk(path)
    }
  }
  walk('')
  return out.sort()
}

/** The API key environment for a run against `url` (GOAPI_BASE_URL as the base). */
export const against = (url: string, key = 'sk-test-hostile-0000') => ({ GOAPI_API_KEY: key, GOAPI_BASE_URL: url })

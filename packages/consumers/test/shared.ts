import { execFile } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The strictest settings a consumer may compile our packages with (every consumer check uses them). */
export const STRICT_COMPILER_OPTIONS = { strict: true, noUncheckedIndexedAccess: true, skipLibCheck: false } as const

export const PACKAGES_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..')

export interface PublishedPackage {
  name: string
  version: string
  dir: string
  /** The file name `pnpm pack` gives the tarball. */
  tarball: string
}

/** Every package of the workspace that is not private, sorted by name. */
export function publishedPackages(): PublishedPackage[] {
  const out: PublishedPackage[] = []
  for (const entry of readdirSync(PACKAGES_DIR)) {
    let pkg: { name: string; version: string; private?: boolean }
    try {
      pkg = JSON.parse(readFileSync(join(PACKAGES_DIR, entry, 'package.json'), 'utf8')) as typeof pkg
    } catch {
      continue
    }
    if (pkg.private) continue
    const tarball = `${pkg.name.replace('@', '').replace('/', '-')}-${pkg.version}.tgz`
    out.push({ name: pkg.name, version: pkg.version, dir: join(PACKAGES_DIR, entry), tarball })
  }
  return out.sort((a, b) => a.name.localeCompare(b.name))
}

export interface RunResult {
  code: number
  stdout: string
  stderr: string
}

/** Runs a command without a shell; never rejects, so tests can show its output on failure. */
export function run(
  cmd: string,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(
      cmd,
      args,
      {
        cwd: options.cwd,
        env: { ...process.env, ...options.env },
        timeout: options.timeoutMs ?? 240_000,
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0
        resolve({ code, stdout: String(stdout), stderr: String(stderr) })
      },
    )
  })
}

/** Runs `fn` over `items` with at most `limit` running at once. */
export async function pool<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length)
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++
      results[i] = await fn(items[i] as T)
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  return results
}

/** Versions the consumer project installs next to the packed tarballs (exact pins). */
export const PINS = {
  typescript: '5.9.3',
  typesNode: '20.19.43',
  vite: '8.3.8',
  node24: '24.21.0',
  bun: '1.4.5',
  deno: '2.9.6',
  miniflare: '4.20260426.0',
} as const

/**
 * The packages the consumer project installs from tarballs: every published package but the
 * CLI and `@goapi/batch` (`@goapi/sdk` needs every family, and npm must find them among the
 * tarballs, not the registry; the batch package's native SQLite build and Redis client are checked
 * by publint and attw, and by its own tests, not installed into every consumer app).
 */
export const APP_PACKAGES = publishedPackages()
  .map((p) => p.name)
  .filter((name) => name !== '@goapi/cli' && name !== '@goapi/batch')

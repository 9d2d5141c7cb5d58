// Findings 2 and 7: downloads are bounded (size, silence, total time), redirects are checked,
// private addresses are refused unless the API itself is on one (the simulator) or the user
// allows them, each file reports on its own, Ctrl-C stops them, and no download carries the key.
import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { afterAll, describe, expect, it } from 'vitest'
import { removeTempDirs, tempDir } from '../helpers.js'
import { completedTask, png, startHostileApi, type HostileApi, type Route } from './hostile-api.js'
import { against, runCli, tree } from './run-cli.js'

afterAll(removeTempDirs)

const drip =
  (everyMs: number): Route =>
  (req, res) => {
    res.writeHead(200, { 'content-type': 'image/png' })
    res.write('x')
    const timer = setInterval(() => res.write('x'), everyMs)
    res.on('close', () => clearInterval(timer))
    req.on('close', () => clearInterval(timer))
  }

const FILES: Record<string, Route> = {
  '/files/a.png': png,
  '/files/huge.mp4': (_req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': String(10 * 1024 ** 3) })
    res.write(Buffer.alloc(1024))
  },
  '/files/4k.bin': (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream' })
    res.end(Buffer.alloc(4096))
  },
  '/files/drip.png': drip(100),
  '/files/drip-fast.png': drip(20),
  '/files/silent.png': () => {},
  '/files/to-file': (_req, res) => {
    res.writeHead(302, { location: 'file:///etc/passwd' })
    res.end()
  },
  '/files/loop': (_req, res) => {
    res.writeHead(302, { location: '/files/loop' })
    res.end()
  },
}

/** A hostile API whose completed task names `paths` (served by the same server) as its output files. */
async function api(paths: string[], origin?: (ctx: { origin: string }) => string): Promise<HostileApi> {
  return startHostileApi({
    task: (ctx) =>
      completedTask('task-1', ctx.origin, {
        output: Object.fromEntries(paths.map((p, i) => [`file_${i}`, `${origin ? origin(ctx) : ctx.origin}${p}`])),
      }),
    files: FILES,
  })
}

async function run(
  paths: string[],
  flags: string[] = [],
  options: { publicDns?: boolean; base?: (a: HostileApi) => string } = {},
) {
  const server = await api(paths)
  const cwd = tempDir()
  try {
    const base = options.base ? options.base(server) : server.url
    const r = await runCli(['run', 'flux', 'txt2img', '-p', 'x', '--out', 'out', ...flags], {
      cwd,
      env: against(base),
      ...(options.publicDns ? { publicDns: true } : {}),
    })
    return { ...r, cwd, out: join(cwd, 'out'), server, stderrText: r.stderr.toString('utf8') }
  } finally {
    await server.close()
  }
}

const files = (dir: string) => (existsSync(dir) ? readdirSync(dir).sort() : [])

describe('bounded downloads', () => {
  it('a 10 GB Content-Length is refused as too_large; nothing is left behind', async () => {
    const r = await run(['/files/huge.mp4'])
    expect(r.code).toBe(1)
    expect(r.stderrText).toMatch(/Not saved file_0: too_large: .*10737418240 bytes/)
    expect(files(r.out)).toEqual([])
  })

  it('--max-file-size caps a body sent without a Content-Length', async () => {
    const r = await run(['/files/4k.bin'], ['--max-file-size', '1kB'])
    expect(r.code).toBe(1)
    expect(r.stderrText).toMatch(/Not saved file_0: too_large/)
    expect(files(r.out)).toEqual([])
  })

  it('a dripping body hits --download-idle-timeout', async () => {
    const r = await run(['/files/drip.png'], ['--download-idle-timeout', '0.05'])
    expect(r.code).toBe(1)
    expect(r.stderrText).toMatch(/Not saved file_0: timeout: .*sent nothing/)
    expect(files(r.out)).toEqual([])
  })

  it('a server that never sends headers hits the idle timeout', async () => {
    const r = await run(['/files/silent.png'], ['--download-idle-timeout', '0.05'])
    expect(r.code).toBe(1)
    expect(r.stderrText).toMatch(/Not saved file_0: timeout/)
  })

  it('a body that never ends hits --download-timeout', async () => {
    const r = await run(['/files/drip-fast.png'], ['--download-timeout', '0.3'])
    expect(r.code).toBe(1)
    expect(r.stderrText).toMatch(/Not saved file_0: timeout: .*took longer than 300 ms/)
    expect(files(r.out)).toEqual([])
  })

  it('redirects to file:// and redirect loops are refused', async () => {
    const r = await run(['/files/to-file', '/files/loop'])
    expect(r.code).toBe(1)
    expect(r.stderrText).toMatch(/Not saved file_0: bad_redirect/)
    expect(r.stderrText).toMatch(/Not saved file_1: bad_redirect: More than 5 redirects/)
  })

  it('one failed file does not stop the others: each is reported, the good ones saved, exit 1', async () => {
    const r = await run(['/files/huge.mp4', '/files/a.png', '/files/missing.png'])
    expect(r.code).toBe(1)
    expect(r.stderrText).toMatch(/Not saved file_0: too_large/)
    expect(r.stderrText).toMatch(/Not saved file_2: http_status: HTTP 404/)
    expect(files(r.out)).toEqual(['file_1.png'])
    expect(r.stdout.toString()).toMatch(/Files\s+out\/file_1\.png \(7 B\)/)
  })

  it('no download request carries the API key', async () => {
    const r = await run(['/files/a.png'])
    expect(r.code).toBe(0)
    const downloads = r.server.requests.filter((q) => q.path.startsWith('/files/'))
    expect(downloads).toHaveLength(1)
    for (const q of downloads) {
      expect(q.headers['x-api-key']).toBeUndefined()
      expect(q.headers.authorization).toBeUndefined()
    }
    expect(r.server.requests.filter((q) => q.path.startsWith('/api/')).every((q) => q.headers['x-api-key'])).toBe(true)
  })

  it('a bad flag value is a usage error before anything is sent', async () => {
    const r = await run(['/files/a.png'], ['--max-file-size', 'lots'])
    expect(r.code).toBe(2)
    expect(r.stderrText).toContain('--max-file-size must be a size')
    expect(r.server.requests).toEqual([])
  })
})

describe('private addresses', () => {
  // The API is reached as api.public.test (resolved to 127.0.0.1 by a preloaded DNS shim), so its
  // base URL is not loopback by spelling, as with the real API: file URLs on private addresses are refused.
  const publicBase = (a: HostileApi) => `http://api.public.test:${a.port}`

  it('with a public API base, a file URL on 127.0.0.1 is refused without a request', async () => {
    const r = await run(['/files/a.png'], [], { publicDns: true, base: publicBase })
    expect(r.code).toBe(1)
    expect(r.stderrText).toMatch(/Not saved file_0: blocked_host/)
    expect(r.server.requests.filter((q) => q.path.startsWith('/files/'))).toEqual([])
    expect(r.server.requests.some((q) => q.path === '/api/v1/task')).toBe(true)
  })

  it('with a public API base, a file URL whose name resolves to 127.0.0.1 is refused too', async () => {
    const server = await api(['/files/a.png'], (ctx) => ctx.origin.replace('127.0.0.1', 'files.public.test'))
    const cwd = tempDir()
    try {
      const r = await runCli(['run', 'flux', 'txt2img', '-p', 'x', '--out', 'out'], {
        cwd,
        env: against(publicBase(server)),
        publicDns: true,
      })
      expect(r.code).toBe(1)
      expect(r.stderr.toString()).toMatch(/Not saved file_0: blocked_host: .*127\.0\.0\.1/)
      expect(server.requests.filter((q) => q.path.startsWith('/files/'))).toEqual([])
    } finally {
      await server.close()
    }
  })

  it('--allow-private-downloads lets the user allow them', async () => {
    const r = await run(['/files/a.png'], ['--allow-private-downloads'], { publicDns: true, base: publicBase })
    expect(r.code, r.stderrText).toBe(0)
    expect(files(r.out)).toEqual(['file_0.png'])
  })

  it('an API base on 127.0.0.1 (a local server, the simulator) allows them automatically', async () => {
    const r = await run(['/files/a.png'])
    expect(r.code, r.stderrText).toBe(0)
    expect(files(r.out)).toEqual(['file_0.png'])
  })
})

describe('Ctrl-C', () => {
  it('aborts a running download, removes the partial file and exits 130', async () => {
    const server = await api(['/files/drip.png'])
    const cwd = tempDir()
    try {
      let pid = 0
      const pending = runCli(['run', 'flux', 'txt2img', '-p', 'x', '--out', 'out'], {
        cwd,
        env: against(server.url),
        onSpawn: (p) => (pid = p),
      })
      while (!server.requests.some((q) => q.path === '/files/drip.png')) await new Promise((r) => setTimeout(r, 20))
      process.kill(pid, 'SIGINT')
      const r = await pending
      expect(r.code).toBe(130)
      expect(r.stderr.toString()).toContain('Interrupted: downloads stopped')
      expect(tree(cwd).filter((p) => p.endsWith('.part'))).toEqual([])
      expect(files(join(cwd, 'out'))).toEqual([])
    } finally {
      await server.close()
    }
  })
})

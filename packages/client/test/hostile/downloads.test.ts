// @goapi/client/node downloadFiles against hostile file servers on 127.0.0.1: one server route per
// attack, asserting the safe outcome (typed reason, nothing written outside the folder, no partial
// files, nothing replaced). Timeouts are set small in the options; the tests assert the error
// reason, never how long anything took.
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { GoApiError } from '../../src/index.js'
import { DownloadError, downloadFiles, outputDir, outputFiles, type FileResult } from '../../src/node/index.js'
import { drip, file, flood, redirect, startFileServer, type FileServer } from './file-server.js'

const made: string[] = []
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'goapi-dl-'))
  made.push(dir)
  return dir
}
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true })
})

/** Every entry below `dir` (relative paths, symlinks not followed). */
function tree(dir: string): string[] {
  const out: string[] = []
  const walk = (rel: string) => {
    for (const name of readdirSync(join(dir, rel))) {
      const path = rel ? `${rel}/${name}` : name
      out.push(path)
      const stat = lstatSync(join(dir, path))
      if (stat.isDirectory()) walk(path)
    }
  }
  walk('')
  return out.sort()
}

function failure(result: FileResult | undefined): DownloadError {
  if (!result || result.ok) throw new Error(`expected a failed download, got ${JSON.stringify(result)}`)
  expect(result.error).toBeInstanceOf(DownloadError)
  expect(result.error).toBeInstanceOf(GoApiError)
  return result.error
}

let server: FileServer
beforeAll(async () => {
  server = await startFileServer({
    '/image.png': file('PNGDATA'),
    '/other.png': file('OTHERDATA'),
    '/no-ext': file('{"a":1}', 'application/json'),
    '/huge': (_req, res) => {
      res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': String(10 * 1024 ** 3) })
      res.write(Buffer.alloc(1024))
    },
    '/flood': flood(64 * 1024 * 1024),
    '/drip': drip(100),
    '/drip-fast': drip(20),
    '/silent': () => {},
    '/status-500': (_req, res) => {
      res.writeHead(500)
      res.end('boom')
    },
    '/to-file': redirect('file:///etc/passwd'),
    '/to-ftp': redirect('ftp://127.0.0.1/x'),
    '/loop': redirect('/loop'),
    '/hop1': redirect('/hop2', 307),
    '/hop2': redirect('/image.png', 301),
    '/no-location': (_req, res) => {
      res.writeHead(302)
      res.end()
    },
  })
})
afterAll(() => server.close())
afterEach(() => {
  server.requests.length = 0
})

const allowAll = { allowPrivateHosts: true } as const

describe('downloadFiles: saving', () => {
  it('saves each file under a name made from its field, and sends no API key or auth header', async () => {
    const dir = tempDir()
    const results = await downloadFiles(
      [
        { field: 'image_urls.0', url: `${server.url}/image.png` },
        { field: 'data', url: `${server.url}/no-ext` },
      ],
      { dir, ...allowAll },
    )
    expect(results.map((r) => r.ok)).toEqual([true, true])
    expect(tree(dir)).toEqual(['data.json', 'image_urls.0.png'])
    expect(readFileSync(join(dir, 'image_urls.0.png'), 'utf8')).toBe('PNGDATA')
    expect(results[0]).toMatchObject({ bytes: 7, path: join(dir, 'image_urls.0.png') })
    for (const { headers } of server.requests) {
      expect(headers['x-api-key']).toBeUndefined()
      expect(headers.authorization).toBeUndefined()
      expect(headers.cookie).toBeUndefined()
    }
  })

  it('a hostile field name cannot leave the folder', async () => {
    const parent = tempDir()
    const dir = join(parent, 'out')
    const fields = ['..', '../../etc/x', '/abs/path', 'a\u0000b', 'C:\\win', `${'x'.repeat(5000)}`, '.hidden']
    const results = await downloadFiles(
      fields.map((field) => ({ field, url: `${server.url}/image.png` })),
      { dir, ...allowAll },
    )
    expect(results.every((r) => r.ok)).toBe(true)
    expect(readdirSync(parent)).toEqual(['out'])
    const names = readdirSync(dir)
    expect(names).toHaveLength(fields.length)
    for (const name of names) {
      expect(name).toMatch(/^[A-Za-z0-9_][A-Za-z0-9._-]*$/)
      expect(name.length).toBeLessThanOrEqual(110)
    }
  })

  it('never replaces an existing file: the new one gets -2, -3', async () => {
    const dir = tempDir()
    writeFileSync(join(dir, 'image_url.png'), 'MINE')
    const first = await downloadFiles([{ field: 'image_url', url: `${server.url}/image.png` }], { dir, ...allowAll })
    const second = await downloadFiles([{ field: 'image_url', url: `${server.url}/other.png` }], { dir, ...allowAll })
    expect(first[0]).toMatchObject({ ok: true, path: join(dir, 'image_url-2.png') })
    expect(second[0]).toMatchObject({ ok: true, path: join(dir, 'image_url-3.png') })
    expect(readFileSync(join(dir, 'image_url.png'), 'utf8')).toBe('MINE')
    expect(readFileSync(join(dir, 'image_url-3.png'), 'utf8')).toBe('OTHERDATA')
  })

  it('overwrite: true replaces a regular file', async () => {
    const dir = tempDir()
    writeFileSync(join(dir, 'image_url.png'), 'MINE')
    const [result] = await downloadFiles([{ field: 'image_url', url: `${server.url}/image.png` }], {
      dir,
      overwrite: true,
      ...allowAll,
    })
    expect(result).toMatchObject({ ok: true, path: join(dir, 'image_url.png') })
    expect(readFileSync(join(dir, 'image_url.png'), 'utf8')).toBe('PNGDATA')
    expect(tree(dir)).toEqual(['image_url.png'])
  })

  it('never follows a pre-planted symlink, with or without overwrite', async () => {
    const outside = tempDir()
    const victim = join(outside, 'victim.txt')
    writeFileSync(victim, 'ORIGINAL')
    const dir = tempDir()
    symlinkSync(victim, join(dir, 'image_url.png'))
    symlinkSync(join(outside, 'dangling'), join(dir, 'image_url-2.png'))

    const [plain] = await downloadFiles([{ field: 'image_url', url: `${server.url}/image.png` }], { dir, ...allowAll })
    expect(plain).toMatchObject({ ok: true, path: join(dir, 'image_url-3.png') })
    const withOverwrite = await downloadFiles([{ field: 'image_url', url: `${server.url}/image.png` }], {
      dir,
      overwrite: true,
      ...allowAll,
    })
    expect(failure(withOverwrite[0]).reason).toBe('unsafe_path')

    expect(readFileSync(victim, 'utf8')).toBe('ORIGINAL')
    expect(readdirSync(outside).sort()).toEqual(['victim.txt'])
    expect(lstatSync(join(dir, 'image_url.png')).isSymbolicLink()).toBe(true)
    expect(tree(dir)).toEqual(['image_url-2.png', 'image_url-3.png', 'image_url.png'])
  })
})

describe('downloadFiles: bounds', () => {
  it('a 10 GB Content-Length is too_large at once: nothing is buffered or left behind', async () => {
    const dir = tempDir()
    const before = process.memoryUsage().rss
    const [result] = await downloadFiles([{ field: 'video', url: `${server.url}/huge` }], { dir, ...allowAll })
    const error = failure(result)
    expect(error.reason).toBe('too_large')
    expect(error.message).toContain('10737418240 bytes')
    expect(tree(dir)).toEqual([])
    // A generous sanity bound only: buffering the body would need gigabytes.
    expect(process.memoryUsage().rss - before).toBeLessThan(512 * 1024 * 1024)
  })

  it('a body without Content-Length is counted while streaming and cut at maxBytes; the partial file is removed', async () => {
    const dir = tempDir()
    const [result] = await downloadFiles([{ field: 'blob', url: `${server.url}/flood` }], {
      dir,
      maxBytes: 1024 * 1024,
      ...allowAll,
    })
    expect(failure(result).reason).toBe('too_large')
    expect(tree(dir)).toEqual([])
  })

  it('a dripping body hits the idle timeout; the partial file is removed', async () => {
    const dir = tempDir()
    const [result] = await downloadFiles([{ field: 'drip', url: `${server.url}/drip` }], {
      dir,
      idleTimeoutMs: 30,
      ...allowAll,
    })
    const error = failure(result)
    expect(error.reason).toBe('timeout')
    expect(error.message).toMatch(/sent nothing/)
    expect(tree(dir)).toEqual([])
  })

  it('a body that keeps dripping within the idle timeout hits the total deadline', async () => {
    const dir = tempDir()
    const [result] = await downloadFiles([{ field: 'drip', url: `${server.url}/drip-fast` }], {
      dir,
      idleTimeoutMs: 10_000,
      deadlineMs: 300,
      ...allowAll,
    })
    const error = failure(result)
    expect(error.reason).toBe('timeout')
    expect(error.message).toMatch(/took longer than 300 ms/)
    expect(tree(dir)).toEqual([])
  })

  it('a server that never sends headers hits the timeout', async () => {
    const dir = tempDir()
    const [result] = await downloadFiles([{ field: 'x', url: `${server.url}/silent` }], {
      dir,
      idleTimeoutMs: 50,
      ...allowAll,
    })
    expect(failure(result).reason).toBe('timeout')
  })

  it('aborting the signal stops the download (aborted) and leaves nothing', async () => {
    const dir = tempDir()
    const controller = new AbortController()
    const pending = downloadFiles(
      [
        { field: 'drip', url: `${server.url}/drip` },
        { field: 'image', url: `${server.url}/image.png` },
      ],
      { dir, signal: controller.signal, ...allowAll },
    )
    while (server.requests.length === 0) await new Promise((r) => setTimeout(r, 5))
    controller.abort()
    const results = await pending
    expect(results.map((r) => (r.ok ? 'ok' : r.error.reason))).toEqual(['aborted', 'aborted'])
    expect(tree(dir)).toEqual([])
  })

  it('one failed file does not stop the others; each has a result', async () => {
    const dir = tempDir()
    const results = await downloadFiles(
      [
        { field: 'a', url: `${server.url}/status-500` },
        { field: 'b', url: `${server.url}/image.png` },
        { field: 'c', url: `${server.url}/missing` },
      ],
      { dir, ...allowAll },
    )
    expect(results.map((r) => (r.ok ? 'ok' : r.error.reason))).toEqual(['http_status', 'ok', 'http_status'])
    expect(failure(results[0]).status).toBe(500)
    expect(tree(dir)).toEqual(['b.png'])
  })
})

describe('downloadFiles: where it connects', () => {
  it('refuses loopback URLs by default, without connecting', async () => {
    const dir = tempDir()
    const results = await downloadFiles(
      [
        { field: 'ip', url: `${server.url}/image.png` },
        { field: 'name', url: `http://localhost:${server.port}/image.png` },
        { field: 'mapped', url: `http://[::ffff:127.0.0.1]:${server.port}/image.png` },
        { field: 'hex', url: `http://0x7f000001:${server.port}/image.png` },
      ],
      { dir },
    )
    expect(results.map((r) => (r.ok ? 'ok' : r.error.reason))).toEqual([
      'blocked_host',
      'blocked_host',
      'blocked_host',
      'blocked_host',
    ])
    expect(server.requests).toEqual([])
    expect(tree(dir)).toEqual([])
  })

  it('refuses non-http(s) URLs', async () => {
    const dir = tempDir()
    const [result] = await downloadFiles([{ field: 'x', url: 'file:///etc/passwd' }], { dir, ...allowAll })
    expect(failure(result).reason).toBe('blocked_host')
    expect(tree(dir)).toEqual([])
  })

  it('follows a few http(s) redirects, each one checked', async () => {
    const dir = tempDir()
    const [result] = await downloadFiles([{ field: 'x', url: `${server.url}/hop1` }], { dir, ...allowAll })
    expect(result).toMatchObject({ ok: true, bytes: 7 })
    expect(server.requests.map((r) => r.url)).toEqual(['/hop1', '/hop2', '/image.png'])
  })

  it('blocks redirects to file://, to other schemes, without Location, and too many of them', async () => {
    const dir = tempDir()
    const results = await downloadFiles(
      ['/to-file', '/to-ftp', '/no-location', '/loop'].map((path) => ({ field: path, url: `${server.url}${path}` })),
      { dir, maxRedirects: 3, ...allowAll },
    )
    expect(results.map((r) => (r.ok ? 'ok' : r.error.reason))).toEqual([
      'bad_redirect',
      'bad_redirect',
      'bad_redirect',
      'bad_redirect',
    ])
    expect(server.requests.filter((r) => r.url === '/loop')).toHaveLength(4)
    expect(tree(dir)).toEqual([])
  })

  it('a redirect to a private address is blocked even when the first host was allowed', async () => {
    // The first hop is allowed explicitly (by port); the redirect's target is judged by the real policy.
    const internal = await startFileServer({ '/admin': file('SECRET') })
    const entry = await startFileServer({ '/go': redirect(`${internal.url}/admin`) })
    try {
      const dir = tempDir()
      const [result] = await downloadFiles([{ field: 'x', url: `${entry.url}/go` }], {
        dir,
        allowPrivateHosts: (_address, url) => url.port === String(entry.port),
      })
      expect(failure(result).reason).toBe('blocked_host')
      expect(internal.requests).toEqual([])
      expect(tree(dir)).toEqual([])
    } finally {
      await internal.close()
      await entry.close()
    }
  })
})

describe('outputFiles', () => {
  it('finds every distinct http(s) URL with its field, in document order', () => {
    expect(
      outputFiles({
        image_url: 'https://cdn.example/a.png',
        image_urls: ['https://cdn.example/a.png', 'http://cdn.example/b.png', 'ftp://x/y', 'javascript:alert(1)'],
        nested: { video: { url: 'https://cdn.example/v.mp4' } },
        note: 'see https://example.com',
      }),
    ).toEqual([
      { field: 'image_url', url: 'https://cdn.example/a.png' },
      { field: 'image_urls.1', url: 'http://cdn.example/b.png' },
      { field: 'nested.video.url', url: 'https://cdn.example/v.mp4' },
    ])
  })

  it('walks a 100,000-deep output without exhausting the stack', () => {
    let deep: unknown = 'https://cdn.example/deep.png'
    for (let i = 0; i < 100_000; i++) deep = [deep]
    const found = outputFiles(deep)
    expect(found).toHaveLength(1)
    expect(found[0]?.url).toBe('https://cdn.example/deep.png')
  })
})

describe('outputDir', () => {
  it.each([
    ['..', '..'],
    ['.', '.'],
    ['empty', ''],
    ['../../x', '../../x'],
    ['/etc', '/etc'],
    ['a/../../b', 'a/../../b'],
    ['a NUL byte', 'nul\u0000byte'],
    ['..\\..\\win', '..\\..\\win'],
    ['10,000 characters', 'x'.repeat(10_000)],
  ])('a task id %s becomes one folder inside the root', async (_label, id) => {
    const parent = tempDir()
    const root = join(parent, 'goapi-output')
    const dir = await outputDir(root, id)
    expect(readdirSync(parent)).toEqual(['goapi-output'])
    expect(readdirSync(root)).toHaveLength(1)
    expect(join(root, readdirSync(root)[0] as string)).toBe(dir)
  })

  it('refuses a task folder that was planted as a symlink', async () => {
    const outside = tempDir()
    const root = tempDir()
    symlinkSync(outside, join(root, 'task-1'))
    await expect(outputDir(root, 'task-1')).rejects.toMatchObject({ name: 'DownloadError', reason: 'unsafe_path' })
    expect(readdirSync(outside)).toEqual([])
  })

  it('reuses an existing real folder', async () => {
    const root = tempDir()
    mkdirSync(join(root, 'task-1'))
    expect(await outputDir(root, 'task-1')).toBe(join(root, 'task-1'))
    expect(existsSync(join(root, 'task-1'))).toBe(true)
  })
})

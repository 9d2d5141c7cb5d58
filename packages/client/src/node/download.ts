// Saving a task's output files so that nothing a server says can hurt: streamed to a temp file in
// the target folder and moved into place without replacing anything, size-capped, timed out,
// redirect-checked, never from private addresses by default, never with the API key.
import { randomUUID } from 'node:crypto'
import dns from 'node:dns'
import { constants } from 'node:fs'
import { copyFile, link, lstat, mkdir, open, realpath, rename, unlink } from 'node:fs/promises'
import http, { type IncomingMessage } from 'node:http'
import https from 'node:https'
import { isIP, type LookupFunction } from 'node:net'
import { dirname, join } from 'node:path'
import { Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { printable, safeSegment } from '../untrusted.js'
import { isPrivateAddress } from './address.js'
import { isInside } from './dir.js'
import { DownloadError } from './errors.js'
import { extensionFor, type FileRef } from './files.js'

export const DEFAULT_DOWNLOAD_MAX_BYTES = 2 * 1024 ** 3
export const DEFAULT_CONNECT_TIMEOUT_MS = 15_000
export const DEFAULT_IDLE_TIMEOUT_MS = 30_000
export const DEFAULT_DOWNLOAD_DEADLINE_MS = 30 * 60_000
export const DEFAULT_MAX_REDIRECTS = 5

export interface DownloadOptions {
  /** The folder to save into (created if needed). Files are named after their `field`. */
  dir: string
  /** Replace an existing file of the same name (never through a symlink). Default: a new name `-2`, `-3`, ... is picked. */
  overwrite?: boolean
  /** Largest file accepted, in bytes (default 2 GiB): checked against `Content-Length` and counted while streaming. */
  maxBytes?: number
  /** Time to resolve the host and open the connection (default 15 s). */
  connectTimeoutMs?: number
  /** Longest silence of the connection: waiting for headers or for the next bytes of the body (default 30 s). */
  idleTimeoutMs?: number
  /** Total time for one file, redirects included (default 30 min). */
  deadlineMs?: number
  /** Redirects followed per file (default 5); each hop is checked like the first URL. */
  maxRedirects?: number
  /**
   * Allow loopback, private, link-local and other non-public addresses (default false). A function
   * decides per address (`address` is the IP connected to, `url` the URL of that hop).
   */
  allowPrivateHosts?: boolean | ((address: string, url: URL) => boolean)
  /** Aborting it stops every download still running (each reports `aborted`). */
  signal?: AbortSignal
}

export type FileResult =
  | { ok: true; field: string; url: string; path: string; bytes: number }
  | { ok: false; field: string; url: string; error: DownloadError }

interface Settings {
  root: string
  overwrite: boolean
  maxBytes: number
  connectTimeoutMs: number
  idleTimeoutMs: number
  deadlineMs: number
  maxRedirects: number
  allowed: (address: string, url: URL) => boolean
}

/**
 * Downloads each file into `options.dir`, one after the other. Never throws for a file: each
 * gets a result, and one failed file does not stop the others. No request carries an API key.
 */
export async function downloadFiles(files: FileRef[], options: DownloadOptions): Promise<FileResult[]> {
  if (files.length === 0) return []
  const allow = options.allowPrivateHosts ?? false
  const settings: Settings = {
    root: '',
    overwrite: options.overwrite ?? false,
    maxBytes: limit(options.maxBytes, DEFAULT_DOWNLOAD_MAX_BYTES, 'maxBytes'),
    connectTimeoutMs: limit(options.connectTimeoutMs, DEFAULT_CONNECT_TIMEOUT_MS, 'connectTimeoutMs'),
    idleTimeoutMs: limit(options.idleTimeoutMs, DEFAULT_IDLE_TIMEOUT_MS, 'idleTimeoutMs'),
    deadlineMs: limit(options.deadlineMs, DEFAULT_DOWNLOAD_DEADLINE_MS, 'deadlineMs'),
    maxRedirects: limit(options.maxRedirects, DEFAULT_MAX_REDIRECTS, 'maxRedirects', true),
    allowed: (address, url) =>
      !isPrivateAddress(address) || (typeof allow === 'function' ? allow(address, url) : allow),
  }
  const results: FileResult[] = []
  try {
    await mkdir(options.dir, { recursive: true })
    settings.root = await realpath(options.dir)
  } catch (error) {
    const failure = new DownloadError('unsafe_path', `Cannot use ${options.dir} as the output folder`, {
      cause: error,
    })
    return files.map((f) => ({ ok: false, field: f.field, url: f.url, error: failure }))
  }
  for (const file of files) {
    try {
      const saved = await downloadOne(file, settings, options.signal)
      results.push({ ok: true, field: file.field, url: file.url, ...saved })
    } catch (error) {
      results.push({ ok: false, field: file.field, url: file.url, error: asDownloadError(error, file.url) })
    }
  }
  return results
}

function limit(value: number | undefined, fallback: number, name: string, zeroOk = false): number {
  if (value === undefined) return fallback
  if (!Number.isFinite(value) || value < 0 || (!zeroOk && value === 0))
    throw new RangeError(`downloadFiles: ${name} must be a ${zeroOk ? 'non-negative' : 'positive'} number`)
  return value
}

const shown = (url: string) => printable(url, 200)

async function downloadOne(
  file: FileRef,
  settings: Settings,
  signal: AbortSignal | undefined,
): Promise<{ path: string; bytes: number }> {
  const controller = new AbortController()
  let failure: DownloadError | undefined
  const fail = (error: DownloadError) => {
    if (failure) return
    failure = error
    controller.abort(error)
  }
  const deadline = setTimeout(
    () =>
      fail(new DownloadError('timeout', `Downloading ${shown(file.url)} took longer than ${settings.deadlineMs} ms`)),
    settings.deadlineMs,
  )
  const onAbort = () => fail(new DownloadError('aborted', `Download of ${shown(file.url)} was aborted`))
  if (signal?.aborted) onAbort()
  signal?.addEventListener('abort', onAbort, { once: true })
  let temp: string | undefined
  try {
    if (failure) throw failure
    const { response, url } = await fetchFollowing(file.url, settings, controller.signal, fail)
    controller.signal.addEventListener('abort', () => response.destroy(), { once: true })
    const declared = Number(response.headers['content-length'])
    if (Number.isFinite(declared) && declared > settings.maxBytes) {
      response.destroy()
      throw new DownloadError(
        'too_large',
        `${shown(file.url)} is ${declared} bytes, more than the limit of ${settings.maxBytes} bytes`,
      )
    }
    temp = join(settings.root, `.goapi-${randomUUID()}.part`)
    // O_EXCL: a fresh file, never an existing one or a symlink; O_NOFOLLOW where the platform has it.
    const handle = await open(
      temp,
      constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0),
      0o644,
    )
    let bytes = 0
    const max = settings.maxBytes
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        bytes += chunk.length
        if (bytes > max)
          callback(new DownloadError('too_large', `${shown(file.url)} sent more than the limit of ${max} bytes`))
        else callback(null, chunk)
      },
    })
    await pipeline(response, counter, handle.createWriteStream(), { signal: controller.signal })
    if (failure) throw failure
    const base = safeSegment(file.field, 100)
    const ext = extensionFor(url.href, response.headers['content-type'])
    const path = await place(temp, settings, base, ext)
    temp = undefined
    return { path, bytes }
  } catch (error) {
    throw failure ?? error
  } finally {
    clearTimeout(deadline)
    signal?.removeEventListener('abort', onAbort)
    if (temp !== undefined) await unlink(temp).catch(() => {})
  }
}

/** Moves the finished temp file to `base.ext` in the root (or `base-2.ext`, ...), never replacing a file unless asked and never a symlink. */
async function place(temp: string, settings: Settings, base: string, ext: string): Promise<string> {
  for (let n = 1; n <= 1000; n++) {
    const target = join(settings.root, `${n === 1 ? base : `${base}-${n}`}.${ext}`)
    if (dirname(target) !== settings.root || !isInside(settings.root, target))
      throw new DownloadError('unsafe_path', `Refusing to write outside ${settings.root}`)
    if (settings.overwrite) {
      const existing = await lstat(target).catch(() => undefined)
      if (existing && !existing.isFile())
        throw new DownloadError('unsafe_path', `Refusing to replace ${target}: it is not a regular file`)
      // rename replaces the directory entry itself: it never writes through a link.
      await rename(temp, target)
      return target
    }
    try {
      // A hard link fails if anything (a file, a symlink, a dangling one) already has the name.
      await link(temp, target)
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      if (code === 'EEXIST') continue
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'EXDEV') throw error
      // No hard links on this file system: an exclusive copy fails the same way on an existing name.
      try {
        await copyFile(temp, target, constants.COPYFILE_EXCL)
      } catch (copyError) {
        if ((copyError as NodeJS.ErrnoException).code === 'EEXIST') continue
        throw copyError
      }
    }
    await unlink(temp)
    return target
  }
  throw new DownloadError('exists', `Every name for ${base}.${ext} up to ${base}-1000.${ext} is taken`)
}

const REDIRECTS = new Set([301, 302, 303, 307, 308])

/** GETs `url`, following at most `maxRedirects` http(s) redirects, each hop checked. Resolves with a 2xx answer. */
async function fetchFollowing(
  start: string,
  settings: Settings,
  signal: AbortSignal,
  fail: (error: DownloadError) => void,
): Promise<{ response: IncomingMessage; url: URL }> {
  let url: URL
  try {
    url = new URL(start)
  } catch {
    throw new DownloadError('bad_redirect', `${shown(start)} is not a URL`)
  }
  for (let hop = 0; ; hop++) {
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new DownloadError(
        hop === 0 ? 'blocked_host' : 'bad_redirect',
        `${hop === 0 ? 'Only http(s) URLs are downloaded' : 'Redirect to a non-http(s) URL'}: ${shown(url.href)}`,
      )
    const response = await get(url, settings, signal, fail)
    const status = response.statusCode ?? 0
    if (REDIRECTS.has(status)) {
      response.destroy()
      const location = response.headers.location
      if (!location)
        throw new DownloadError('bad_redirect', `HTTP ${status} without a Location from ${shown(url.href)}`)
      if (hop >= settings.maxRedirects)
        throw new DownloadError('bad_redirect', `More than ${settings.maxRedirects} redirects from ${shown(start)}`)
      try {
        url = new URL(location, url)
      } catch {
        throw new DownloadError('bad_redirect', `Redirect to an invalid URL from ${shown(url.href)}`)
      }
      continue
    }
    if (status < 200 || status > 299) {
      response.destroy()
      throw new DownloadError('http_status', `HTTP ${status} from ${shown(url.href)}`, { status })
    }
    return { response, url }
  }
}

/** One GET with the connect and idle timeouts, connecting only to addresses `settings.allowed` accepts. */
function get(
  url: URL,
  settings: Settings,
  signal: AbortSignal,
  fail: (error: DownloadError) => void,
): Promise<IncomingMessage> {
  const host = url.hostname.replace(/^\[|\]$/g, '')
  if (isIP(host) !== 0 && !settings.allowed(host, url)) return Promise.reject(blocked(url, host))
  // Names are resolved here and every address checked; the connection goes to a checked address.
  const lookup: LookupFunction = (hostname, options, callback) => {
    dns.lookup(hostname, { all: true, family: options.family ?? 0, hints: options.hints ?? 0 }, (error, addresses) => {
      if (error) return callback(error, '', 0)
      const bad = addresses.find((a) => !settings.allowed(a.address, url))
      if (bad || addresses.length === 0)
        return callback(blocked(url, bad?.address ?? 'no address') as Error as NodeJS.ErrnoException, '', 0)
      if (options.all) return (callback as (e: null, a: dns.LookupAddress[]) => void)(null, addresses)
      const first = addresses[0] as dns.LookupAddress
      callback(null, first.address, first.family)
    })
  }
  return new Promise((resolve, reject) => {
    const module = url.protocol === 'https:' ? https : http
    const request = module.request(url, {
      method: 'GET',
      agent: false,
      lookup,
      signal,
      headers: { accept: '*/*', 'accept-encoding': 'identity', 'user-agent': 'goapi-download' },
    })
    const connectTimer = setTimeout(
      () =>
        fail(
          new DownloadError('timeout', `No connection to ${shown(url.host)} within ${settings.connectTimeoutMs} ms`),
        ),
      settings.connectTimeoutMs,
    )
    request.on('socket', (socket) => {
      socket.once('connect', () => clearTimeout(connectTimer))
      socket.setTimeout(settings.idleTimeoutMs, () =>
        fail(new DownloadError('timeout', `${shown(url.host)} sent nothing for ${settings.idleTimeoutMs} ms`)),
      )
    })
    request.once('response', (response) => {
      clearTimeout(connectTimer)
      resolve(response)
    })
    request.once('error', (error) => {
      clearTimeout(connectTimer)
      reject(error)
    })
    request.end()
  })
}

function blocked(url: URL, address: string): DownloadError {
  return new DownloadError(
    'blocked_host',
    `Not downloading from ${shown(url.host)}: ${shown(address)} is a loopback, private or reserved address`,
  )
}

function asDownloadError(error: unknown, url: string): DownloadError {
  if (error instanceof DownloadError) return error
  const code = (error as NodeJS.ErrnoException | undefined)?.code
  return new DownloadError('network', `Could not download ${shown(url)}${code ? ` (${code})` : ''}`, { cause: error })
}

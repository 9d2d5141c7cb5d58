// Saving what a route answered: files at URLs (through @goapi/client/node `downloadFiles`), base64
// images (`b64_json`) and binary answers (speech). The folder is `--out`, or one safe folder named
// by the answer's id inside ./goapi-output; file names come from where the file sits in the answer
// (`data.0.b64_json.png`, `speech.mp3`), never from the server, and never replace an existing file.
import { mkdir, open, realpath } from 'node:fs/promises'
import { join } from 'node:path'
import { safeSegment } from '@goapi/client'
import { downloadFiles, extensionFor, outputDir, outputFiles, type FileResult } from '@goapi/client/node'
import { failureLines, type DownloadSettings } from './download.js'

export interface SavedFile {
  field: string
  path: string
  bytes: number
}

export interface Folder {
  /** `--out`: used as is. */
  out?: string | undefined
  root: string
  /** A server string (an answer's id): made one safe folder name inside `root`. */
  name: string
}

async function folderPath(folder: Folder): Promise<string> {
  if (folder.out) {
    await mkdir(folder.out, { recursive: true })
    return realpath(folder.out)
  }
  return outputDir(folder.root, folder.name)
}

/** The extension of bytes we decoded: from their first bytes, else from the declared type, else `bin`. */
export function sniffExtension(bytes: Uint8Array, contentType = ''): string {
  const hex = Buffer.from(bytes.subarray(0, 12)).toString('hex')
  if (hex.startsWith('89504e470d0a1a0a')) return 'png'
  if (hex.startsWith('ffd8ff')) return 'jpg'
  if (hex.startsWith('52494646') && hex.slice(16, 24) === '57454250') return 'webp'
  if (hex.startsWith('47494638')) return 'gif'
  return extensionFor('', contentType)
}

/** Writes `bytes` as a new file `<name>.<ext>` in the folder (`name-2.ext`, ... when taken; never through a symlink). */
export async function saveBytes(
  folder: Folder,
  name: string,
  bytes: Uint8Array,
  contentType = '',
  field = name,
): Promise<SavedFile> {
  const dir = await folderPath(folder)
  const stem = safeSegment(name, 80)
  const ext = sniffExtension(bytes, contentType)
  for (let n = 1; ; n++) {
    const path = join(dir, `${stem}${n === 1 ? '' : `-${n}`}.${ext}`)
    let handle
    try {
      // 'wx': O_CREAT | O_EXCL, which fails on any existing name, a symlink included.
      handle = await open(path, 'wx')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST' && n < 1000) continue
      throw error
    }
    try {
      await handle.writeFile(bytes)
    } finally {
      await handle.close()
    }
    return { field, path, bytes: bytes.byteLength }
  }
}

/** Every `b64_json` string in an answer, with where it sits (`data.0.b64_json`). */
export function base64Files(answer: unknown): Array<{ field: string; data: string }> {
  const found: Array<{ field: string; data: string }> = []
  const stack: Array<{ value: unknown; path: string[] }> = [{ value: answer, path: [] }]
  for (let item = stack.pop(); item; item = stack.pop()) {
    const { value, path } = item
    if (typeof value !== 'object' || value === null) continue
    for (const [key, child] of Object.entries(value)) {
      if (key === 'b64_json' && typeof child === 'string' && child.length > 0)
        found.push({ field: [...path, key].join('.'), data: child })
      else stack.push({ value: child, path: [...path, key] })
    }
  }
  return found.sort((a, b) => a.field.localeCompare(b.field))
}

/** Saves every file of a route's answer (URLs and base64 images); one failure does not stop the rest. */
export async function saveAnswerFiles(
  answer: unknown,
  folder: Folder,
  settings: DownloadSettings,
  signal: AbortSignal,
): Promise<{ saved: SavedFile[]; failed: string[] }> {
  const saved: SavedFile[] = []
  const failed: string[] = []
  for (const file of base64Files(answer))
    saved.push(
      await saveBytes(folder, file.field.replace(/\.b64_json$/, ''), Buffer.from(file.data, 'base64'), '', file.field),
    )
  const urls = outputFiles(answer)
  if (urls.length > 0) {
    const results = await downloadFiles(urls, {
      dir: await folderPath(folder),
      overwrite: settings.overwrite,
      allowPrivateHosts: settings.allowPrivateHosts,
      ...(settings.maxBytes !== undefined ? { maxBytes: settings.maxBytes } : {}),
      ...(settings.deadlineMs !== undefined ? { deadlineMs: settings.deadlineMs } : {}),
      ...(settings.idleTimeoutMs !== undefined ? { idleTimeoutMs: settings.idleTimeoutMs } : {}),
      signal,
    })
    for (const r of results) if (r.ok) saved.push({ field: r.field, path: r.path, bytes: r.bytes })
    failed.push(...failureLines(results.filter((r): r is Extract<FileResult, { ok: false }> => !r.ok)))
  }
  return { saved, failed }
}

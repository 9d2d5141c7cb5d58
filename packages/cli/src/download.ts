// Saves every file a task produced: each http(s) URL in its output, named after where it sits.
import { mkdir, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'

export interface FileRef {
  /** Where in the output the URL is, e.g. `image_urls.1`. */
  path: string
  url: string
}

/** Every distinct http(s) URL in `output`, in document order. */
export function outputUrls(output: unknown): FileRef[] {
  const found: FileRef[] = []
  const seen = new Set<string>()
  const walk = (value: unknown, path: string[]) => {
    if (typeof value === 'string') {
      if (/^https?:\/\/\S+$/i.test(value) && !seen.has(value)) {
        seen.add(value)
        found.push({ path: path.join('.') || 'output', url: value })
      }
    } else if (Array.isArray(value)) value.forEach((v, i) => walk(v, [...path, String(i)]))
    else if (typeof value === 'object' && value !== null)
      for (const [k, v] of Object.entries(value)) walk(v, [...path, k])
  }
  walk(output, [])
  return found
}

const BY_TYPE: Record<string, string> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/webp': 'webp',
  'image/gif': 'gif',
  'video/mp4': 'mp4',
  'video/quicktime': 'mov',
  'video/webm': 'webm',
  'audio/mpeg': 'mp3',
  'audio/mp3': 'mp3',
  'audio/wav': 'wav',
  'audio/x-wav': 'wav',
  'audio/wave': 'wav',
  'audio/flac': 'flac',
  'audio/ogg': 'ogg',
  'audio/mp4': 'm4a',
  'model/gltf-binary': 'glb',
  'model/gltf+json': 'gltf',
  'text/plain': 'txt',
  'application/json': 'json',
  'application/zip': 'zip',
}

/** The file extension: from the Content-Type when it names a known one, else from the URL, else `bin`. */
export function extensionFor(url: string, contentType: string | null): string {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? ''
  const byType = BY_TYPE[type]
  if (byType) return byType
  const fromUrl = /\.([a-z0-9]{2,5})$/i.exec(new URL(url).pathname)?.[1]
  return fromUrl ? fromUrl.toLowerCase() : 'bin'
}

export interface SavedFile {
  path: string
  url: string
  bytes: number
}

/**
 * Downloads the files into `dir` (created if needed). Files are public URLs: no API key is sent.
 * Throws on the first file that cannot be fetched.
 */
export async function downloadAll(files: FileRef[], dir: string, signal?: AbortSignal): Promise<SavedFile[]> {
  if (files.length === 0) return []
  await mkdir(dir, { recursive: true })
  const saved: SavedFile[] = []
  const used = new Set<string>()
  for (const file of files) {
    const response = await fetch(file.url, { ...(signal ? { signal } : {}) })
    if (!response.ok) throw new Error(`Could not download ${file.url}: HTTP ${response.status}`)
    const bytes = Buffer.from(await response.arrayBuffer())
    const base = file.path.replace(/[^a-z0-9_-]+/gi, '_')
    const ext = extensionFor(file.url, response.headers.get('content-type'))
    let name = `${base}.${ext}`
    for (let n = 2; used.has(name); n++) name = `${base}-${n}.${ext}`
    used.add(name)
    const target = resolve(join(dir, name))
    await writeFile(target, bytes)
    saved.push({ path: target, url: file.url, bytes: bytes.length })
  }
  return saved
}

// Finding the files a task produced: every distinct http(s) URL in its output, named after where it sits.

/** One file of a task's output: `field` is where in the output it is (`image_urls.1`), `url` its address. */
export interface FileRef {
  field: string
  url: string
}

const URL_LIKE = /^https?:\/\/\S+$/i

/** Every distinct http(s) URL in `output`, in document order (walked without recursion, so any depth is fine). */
export function outputFiles(output: unknown): FileRef[] {
  const found: FileRef[] = []
  const seen = new Set<string>()
  // Each entry links to its parent, so a deep output costs linear time; the path is built only for a URL.
  interface Item {
    value: unknown
    key: string | undefined
    parent: Item | undefined
  }
  const pathOf = (item: Item) => {
    const keys: string[] = []
    for (let at: Item | undefined = item; at?.key !== undefined; at = at.parent) keys.push(at.key)
    return keys.reverse().join('.')
  }
  const stack: Item[] = [{ value: output, key: undefined, parent: undefined }]
  for (let item = stack.pop(); item; item = stack.pop()) {
    const { value } = item
    if (typeof value === 'string') {
      if (URL_LIKE.test(value) && !seen.has(value) && URL.canParse(value)) {
        seen.add(value)
        found.push({ field: pathOf(item) || 'output', url: value })
      }
      continue
    }
    if (typeof value !== 'object' || value === null) continue
    const entries: Array<[string, unknown]> = Array.isArray(value)
      ? value.map((v, i): [string, unknown] => [String(i), v])
      : Object.entries(value)
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, child] = entries[i] as [string, unknown]
      stack.push({ value: child, key, parent: item })
    }
  }
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

/** The file extension: from the Content-Type when it names a known one, else from the URL (2-5 letters or digits), else `bin`. */
export function extensionFor(url: string, contentType: string | null | undefined): string {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? ''
  const byType = BY_TYPE[type]
  if (byType) return byType
  let pathname = ''
  try {
    pathname = new URL(url).pathname
  } catch {
    // not a URL: no extension from it
  }
  const fromUrl = /\.([a-z0-9]{2,5})$/i.exec(pathname)?.[1]
  return fromUrl ? fromUrl.toLowerCase() : 'bin'
}

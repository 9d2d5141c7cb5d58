import { aac } from './aac.js'
import { flac } from './flac.js'
import { glb } from './glb.js'
import { seedBytes } from './hash.js'
import { mp3 } from './mp3.js'
import { opus } from './opus.js'
import { mp4 } from './mp4.js'
import { png } from './png.js'
import { wav } from './wav.js'

export type FileKind = 'png' | 'wav' | 'mp4' | 'glb' | 'txt'

export const CONTENT_TYPES: Record<FileKind, string> = {
  png: 'image/png',
  wav: 'audio/wav',
  mp4: 'video/mp4',
  glb: 'model/gltf-binary',
  txt: 'text/plain; charset=utf-8',
}

/** The kind of file to serve in place of an upstream URL, from its extension. */
export function kindOfUrl(url: string): FileKind {
  const ext = /\.([a-z0-9]+)(?:[?#].*)?$/i.exec(url)?.[1]?.toLowerCase() ?? ''
  if (['mp4', 'mov', 'webm', 'm4v'].includes(ext)) return 'mp4'
  if (['mp3', 'wav', 'flac', 'ogg', 'm4a', 'aac'].includes(ext)) return 'wav'
  if (['glb', 'gltf', 'obj', 'fbx', 'usdz'].includes(ext)) return 'glb'
  if (['txt', 'srt', 'lrc', 'json'].includes(ext)) return 'txt'
  return 'png'
}

export async function renderFile(kind: FileKind, seed: string): Promise<Buffer> {
  switch (kind) {
    case 'png':
      return png(seed)
    case 'wav':
      return wav(seed)
    case 'mp4':
      return mp4(seed)
    case 'glb':
      return glb(seed)
    case 'txt':
      return Buffer.from(`Generated offline by the GoAPI simulator.\nSeed: ${seed}\n`, 'utf8')
  }
}

/** Seconds of speech for a text: about 15 characters a second, from half a second to 20 s. */
const speechSeconds = (text: string) => Math.min(20, Math.max(0.5, text.length / 15))

/**
 * Real bytes for a binary answer's media type (seeded by the request, `text` the content spoken
 * or shown), or undefined for a type the simulator cannot produce.
 */
export function mediaFor(type: string): ((seed: string, text: string) => Buffer | Promise<Buffer>) | undefined {
  switch (type.split(';')[0]?.trim().toLowerCase()) {
    case 'audio/mpeg':
      return (_seed, text) => mp3(speechSeconds(text))
    case 'audio/aac':
      return (_seed, text) => aac(speechSeconds(text))
    case 'audio/opus':
    case 'audio/ogg':
      return (_seed, text) => opus(speechSeconds(text))
    case 'audio/flac':
      return (seed, text) => flac(seed, speechSeconds(text))
    case 'audio/wav':
      return (seed) => wav(seed)
    case 'image/png':
      return (seed) => png(seed)
    case 'video/mp4':
      return (seed) => mp4(seed)
    case 'application/octet-stream':
      // A file of unknown kind (a download): deterministic bytes.
      return (seed) => seedBytes(seed, 1024)
    default:
      return undefined
  }
}

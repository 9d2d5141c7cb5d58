import { createHash } from 'node:crypto'

/** Deterministic bytes from any text: the seed of every generated file. */
export function seedBytes(text: string, length = 32): Buffer {
  const out: Buffer[] = []
  for (let i = 0; out.length * 32 < length; i++) out.push(createHash('sha256').update(`${i}:${text}`).digest())
  return Buffer.concat(out).subarray(0, length)
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})

export function crc32(data: Uint8Array): number {
  let c = 0xffffffff
  for (const byte of data) c = (CRC_TABLE[(c ^ byte) & 0xff] ?? 0) ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}

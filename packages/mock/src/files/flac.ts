// A real FLAC file (16-bit mono, 16 kHz): a tone whose pitch comes from the seed, stored in
// verbatim subframes (FLAC's uncompressed coding), with the stream info and CRCs decoders check.
import { seedBytes } from './hash.js'

const RATE = 16_000
const BLOCK = 4096

function crc8(data: Uint8Array): number {
  let crc = 0
  for (const byte of data) {
    crc ^= byte
    for (let i = 0; i < 8; i++) crc = crc & 0x80 ? ((crc << 1) ^ 0x07) & 0xff : (crc << 1) & 0xff
  }
  return crc
}

function crc16(data: Uint8Array): number {
  let crc = 0
  for (const byte of data) {
    crc ^= byte << 8
    for (let i = 0; i < 8; i++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x8005) & 0xffff : (crc << 1) & 0xffff
  }
  return crc
}

/** FLAC's UTF-8-like coding of the frame number. */
function utf8Number(n: number): number[] {
  if (n < 0x80) return [n]
  if (n < 0x800) return [0xc0 | (n >> 6), 0x80 | (n & 0x3f)]
  return [0xe0 | (n >> 12), 0x80 | ((n >> 6) & 0x3f), 0x80 | (n & 0x3f)]
}

export function flac(seed: string, seconds: number): Buffer {
  const total = Math.max(BLOCK, Math.round(seconds * RATE))
  const freq = 220 + (seedBytes(seed, 2).readUInt16BE(0) % 660)
  const sample = (i: number) => Math.round(Math.sin((2 * Math.PI * freq * i) / RATE) * 8000)
  const frames: Buffer[] = []
  for (let start = 0, n = 0; start < total; start += BLOCK, n++) {
    const size = Math.min(BLOCK, total - start)
    // Block size 16-bit at the end of the header (code 7), 16 kHz (code 5), mono, 16 bits per sample.
    const head = Buffer.from([0xff, 0xf8, 0x75, 0x08, ...utf8Number(n), (size - 1) >> 8, (size - 1) & 0xff])
    const withCrc = Buffer.concat([head, Buffer.from([crc8(head)])])
    const body = Buffer.alloc(1 + size * 2)
    body[0] = 0x02 // subframe: verbatim, no wasted bits
    for (let i = 0; i < size; i++) body.writeInt16BE(sample(start + i), 1 + i * 2)
    const frame = Buffer.concat([withCrc, body])
    const crc = Buffer.alloc(2)
    crc.writeUInt16BE(crc16(frame))
    frames.push(frame, crc)
  }
  const info = Buffer.alloc(34)
  info.writeUInt16BE(BLOCK, 0) // min block size (the last block may be shorter, as FLAC allows)
  info.writeUInt16BE(BLOCK, 2) // max block size
  // Frame sizes unknown (0); sample rate (20 bits), channels - 1 (3), bits - 1 (5), samples (36).
  const packed = (BigInt(RATE) << 44n) | (0n << 41n) | (15n << 36n) | BigInt(total)
  info.writeBigUInt64BE(packed, 10)
  // MD5 of the samples left zero: "not computed", as the format allows.
  const blockHeader = Buffer.from([0x80, 0, 0, 34]) // last metadata block, STREAMINFO, 34 bytes
  return Buffer.concat([Buffer.from('fLaC', 'ascii'), blockHeader, info, ...frames])
}

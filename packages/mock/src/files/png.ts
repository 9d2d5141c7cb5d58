// A real PNG (RGB, 8 bit) whose pixels are a gradient derived from the seed text.
import { deflateSync } from 'node:zlib'
import { crc32, seedBytes } from './hash.js'

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4)
  length.writeUInt32BE(data.length)
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data])
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(body))
  return Buffer.concat([length, body, crc])
}

export function png(seed: string, width = 64, height = 64): Buffer {
  const s = seedBytes(seed, 9)
  const [r0, g0, b0, r1, g1, b1, r2, g2, b2] = [...s]
  const rows: Buffer[] = []
  for (let y = 0; y < height; y++) {
    const row = Buffer.alloc(1 + width * 3)
    for (let x = 0; x < width; x++) {
      const u = x / (width - 1)
      const v = y / (height - 1)
      const mix = (a = 0, b = 0, c = 0) => Math.round(a * (1 - u) * (1 - v) + b * u + c * v * (1 - u)) & 0xff
      row[1 + x * 3] = mix(r0, r1, r2)
      row[2 + x * 3] = mix(g0, g1, g2)
      row[3 + x * 3] = mix(b0, b1, b2)
    }
    rows.push(row)
  }
  const header = Buffer.alloc(13)
  header.writeUInt32BE(width, 0)
  header.writeUInt32BE(height, 4)
  header.writeUInt8(8, 8) // bit depth
  header.writeUInt8(2, 9) // colour type: RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ])
}

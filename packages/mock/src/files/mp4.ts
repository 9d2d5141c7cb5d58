// A small ISO-BMFF (MP4) file: `ftyp`, a `moov` with a movie header whose duration comes from the
// seed, and an `mdat` carrying seed bytes. Recognised as MP4 by its magic bytes and box structure.
import { seedBytes } from './hash.js'

function box(type: string, ...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts)
  const head = Buffer.alloc(8)
  head.writeUInt32BE(8 + body.length, 0)
  head.write(type, 4, 'ascii')
  return Buffer.concat([head, body])
}

export function mp4(seed: string): Buffer {
  const ftyp = box(
    'ftyp',
    Buffer.from('isom', 'ascii'),
    Buffer.from([0, 0, 2, 0]),
    Buffer.from('isomiso2mp41', 'ascii'),
  )
  const mvhd = Buffer.alloc(100)
  mvhd.writeUInt32BE(0, 0) // version + flags
  mvhd.writeUInt32BE(1000, 12) // timescale
  mvhd.writeUInt32BE(1000 * (5 + ((seedBytes(seed, 1)[0] ?? 0) % 6)), 16) // duration 5..10 s
  mvhd.writeUInt32BE(0x00010000, 20) // rate 1.0
  mvhd.writeUInt16BE(0x0100, 24) // volume 1.0
  const matrix = [0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000]
  matrix.forEach((v, i) => mvhd.writeUInt32BE(v, 36 + i * 4))
  mvhd.writeUInt32BE(2, 96) // next track id
  return Buffer.concat([ftyp, box('moov', box('mvhd', mvhd)), box('mdat', seedBytes(seed, 256))])
}

// A real Ogg Opus file (RFC 7845), mono, of 20 ms frames that carry no coded audio: each packet
// is a TOC byte alone (code 0, a zero-length frame), which decoders play as silence.

const OGG_CRC = Array.from({ length: 256 }, (_, n) => {
  let c = n << 24
  for (let k = 0; k < 8; k++) c = c & 0x80000000 ? (c << 1) ^ 0x04c11db7 : c << 1
  return c >>> 0
})

function oggCrc(data: Uint8Array): number {
  let crc = 0
  for (const byte of data) crc = ((crc << 8) ^ (OGG_CRC[((crc >>> 24) ^ byte) & 0xff] ?? 0)) >>> 0
  return crc
}

const SERIAL = 0x474f4150 // 'GOAP'

/** One Ogg page holding whole packets (each under 255 bytes). */
function page(packets: Buffer[], seq: number, granule: bigint, flags: number): Buffer {
  const head = Buffer.alloc(27 + packets.length)
  head.write('OggS', 0, 'ascii')
  head[4] = 0 // version
  head[5] = flags
  head.writeBigInt64LE(granule, 6)
  head.writeUInt32LE(SERIAL, 14)
  head.writeUInt32LE(seq, 18)
  head[26] = packets.length
  packets.forEach((p, i) => (head[27 + i] = p.length))
  const pageBytes = Buffer.concat([head, ...packets])
  pageBytes.writeUInt32LE(oggCrc(pageBytes), 22)
  return pageBytes
}

const PRE_SKIP = 312
/** TOC: config 19 (CELT-only, fullband, 20 ms), mono, code 0 (one frame). */
const TOC = (19 << 3) | 0

export function opus(seconds: number): Buffer {
  const head = Buffer.alloc(19)
  head.write('OpusHead', 0, 'ascii')
  head[8] = 1 // version
  head[9] = 1 // channels
  head.writeUInt16LE(PRE_SKIP, 10)
  head.writeUInt32LE(48_000, 12) // input sample rate (informational)
  head.writeInt16LE(0, 16) // output gain
  head[18] = 0 // channel mapping family
  const vendor = Buffer.from('goapi-mock', 'ascii')
  const tags = Buffer.alloc(8 + 4 + vendor.length + 4)
  tags.write('OpusTags', 0, 'ascii')
  tags.writeUInt32LE(vendor.length, 8)
  vendor.copy(tags, 12)
  tags.writeUInt32LE(0, 12 + vendor.length) // no user comments
  const frames = Math.max(1, Math.round(seconds * 50))
  const pages = [page([head], 0, 0n, 0x02), page([tags], 1, 0n, 0)]
  const perPage = 50
  for (let start = 0, seq = 2; start < frames; start += perPage, seq++) {
    const count = Math.min(perPage, frames - start)
    const granule = BigInt(PRE_SKIP + (start + count) * 960)
    const last = start + count >= frames
    pages.push(
      page(
        Array.from({ length: count }, () => Buffer.from([TOC])),
        seq,
        granule,
        last ? 0x04 : 0,
      ),
    )
  }
  return Buffer.concat(pages)
}

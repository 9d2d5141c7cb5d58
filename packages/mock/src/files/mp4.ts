// A real MP4: an H.264 video stream (our own encoder, `h264.ts`) muxed by Mediabunny. The
// frames are a moving gradient whose colours come from the seed text, so each input gets its
// own video and the same input the same bytes.
import { avcC, encodeH264, lengthPrefixed, type Frame } from './h264.js'
import { seedBytes } from './hash.js'

const WIDTH = 96
const HEIGHT = 64
const FPS = 6
const FRAMES = 12

function frames(seed: string): Frame[] {
  const [a = 0, b = 0, c = 0, d = 0] = seedBytes(seed, 4)
  return Array.from({ length: FRAMES }, (_, i) => ({
    y: (x, y) => 40 + ((a + x * 2 + y + i * (8 + (b % 8))) % 160),
    cb: 64 + ((c + i * 6) % 128),
    cr: 64 + ((d + i * 10) % 128),
  }))
}

export async function mp4(seed: string): Promise<Buffer> {
  // Loaded on first use: starting the simulator does not pay for the muxer.
  const { BufferTarget, EncodedPacket, EncodedVideoPacketSource, Mp4OutputFormat, Output } = await import('mediabunny')
  const stream = encodeH264(WIDTH, HEIGHT, frames(seed))
  const target = new BufferTarget()
  const output = new Output({ format: new Mp4OutputFormat({ fastStart: 'in-memory' }), target })
  const source = new EncodedVideoPacketSource('avc')
  output.addVideoTrack(source, { frameRate: FPS })
  await output.start()
  for (const [i, unit] of stream.frames.entries()) {
    const packet = new EncodedPacket(lengthPrefixed(unit), i === 0 ? 'key' : 'delta', i / FPS, 1 / FPS)
    await source.add(
      packet,
      i === 0
        ? { decoderConfig: { codec: stream.codec, codedWidth: WIDTH, codedHeight: HEIGHT, description: avcC(stream) } }
        : undefined,
    )
  }
  await output.finalize()
  if (!target.buffer) throw new Error('the MP4 muxer produced no output')
  return withoutClock(Buffer.from(target.buffer))
}

/** Boxes that hold other boxes, on the way to the ones that carry a time. */
const CONTAINERS = new Set(['moov', 'trak', 'mdia'])
/** Boxes whose body starts with version, flags, creation time and modification time. */
const TIMED = new Set(['mvhd', 'tkhd', 'mdhd'])

/**
 * The muxer stamps the movie, each track and each media header with the current second, so two
 * files of the same input made a second apart would differ. The simulator's files depend on their
 * input alone: both times are set to 0, which ISO/IEC 14496-12 reads as 1904-01-01 (unknown).
 */
export function withoutClock(file: Buffer, start = 0, end = file.length): Buffer {
  for (let at = start; at + 8 <= end;) {
    const size = file.readUInt32BE(at)
    const type = file.toString('latin1', at + 4, at + 8)
    if (size < 8 || at + size > end) break
    if (CONTAINERS.has(type)) withoutClock(file, at + 8, at + size)
    else if (TIMED.has(type)) {
      const version = file.readUInt8(at + 8)
      const width = version === 1 ? 8 : 4
      file.fill(0, at + 12, at + 12 + 2 * width)
    }
    at += size
  }
  return file
}

// A real MP3 (MPEG-1 Layer III, 48 kHz, 64 kbit/s, mono) of silent frames: every frame has a
// valid header and side information with no coded samples, which decoders play as silence.
// The length comes from the caller (speech: the text's length).

/** Bytes of one frame: 144 * 64000 / 48000, no padding needed. */
const FRAME_BYTES = 192
/** Samples per Layer III frame. */
const FRAME_SAMPLES = 1152

export function mp3(seconds: number): Buffer {
  const frames = Math.max(1, Math.round((seconds * 48_000) / FRAME_SAMPLES))
  const frame = Buffer.alloc(FRAME_BYTES)
  // Sync, MPEG-1, Layer III, no CRC; 64 kbit/s, 48 kHz, no padding; mono.
  frame.set([0xff, 0xfb, 0x54, 0xc0], 0)
  // The 17 bytes of mono side information and the main data stay zero: no samples coded.
  return Buffer.concat(Array.from({ length: frames }, () => frame))
}

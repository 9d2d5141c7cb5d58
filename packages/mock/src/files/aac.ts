// A real AAC stream (ADTS, AAC-LC, 48 kHz, mono) of silent frames: each raw data block is one
// single-channel element with no scale factor bands coded (all spectra zero), then END.

/** ADTS header (no CRC) for a 11-byte frame: AAC-LC, 48 kHz (index 3), one channel. */
const HEADER = [0xff, 0xf1, 0x4c, 0x40, 0x01, 0x7f, 0xfc]
/** SCE tag 0, global_gain 0, long window, max_sfb 0, no pulse/TNS/gain control; END. */
const SILENT_BLOCK = [0x00, 0x00, 0x00, 0x07]
const FRAME_SAMPLES = 1024

export function aac(seconds: number): Buffer {
  const frames = Math.max(1, Math.round((seconds * 48_000) / FRAME_SAMPLES))
  const frame = Buffer.from([...HEADER, ...SILENT_BLOCK])
  return Buffer.concat(Array.from({ length: frames }, () => frame))
}

// A tiny H.264 (AVC) encoder of our own: Constrained Baseline, every macroblock I_PCM (raw
// samples, no prediction or transform), CAVLC, one slice per frame. The frames are exact and
// decode in any H.264 decoder; the stream is large for its size, which is fine for the small
// frames the simulator serves. Frame 0 is an IDR picture, the others are I pictures.

class Bits {
  private readonly bytes: number[] = []
  private cur = 0
  private n = 0

  bit(b: number): void {
    this.cur = (this.cur << 1) | (b & 1)
    if (++this.n === 8) {
      this.bytes.push(this.cur)
      this.cur = 0
      this.n = 0
    }
  }

  u(value: number, width: number): void {
    for (let i = width - 1; i >= 0; i--) this.bit((value >> i) & 1)
  }

  /** Unsigned Exp-Golomb. */
  ue(value: number): void {
    const v = value + 1
    const len = Math.floor(Math.log2(v))
    this.u(0, len)
    this.u(v, len + 1)
  }

  /** Signed Exp-Golomb. */
  se(value: number): void {
    this.ue(value <= 0 ? -2 * value : 2 * value - 1)
  }

  get aligned(): boolean {
    return this.n === 0
  }

  byte(value: number): void {
    this.u(value, 8)
  }

  /** rbsp_trailing_bits: a 1, then zeros to the byte boundary. */
  trailing(): Uint8Array {
    this.bit(1)
    while (this.n !== 0) this.bit(0)
    return Uint8Array.from(this.bytes)
  }
}

/** A NAL unit: header byte, then the RBSP with emulation prevention bytes inserted. */
function nal(refIdc: number, type: number, rbsp: Uint8Array): Uint8Array {
  const out: number[] = [(refIdc << 5) | type]
  let zeros = 0
  for (const byte of rbsp) {
    if (zeros >= 2 && byte <= 3) {
      out.push(3)
      zeros = 0
    }
    out.push(byte)
    zeros = byte === 0 ? zeros + 1 : 0
  }
  return Uint8Array.from(out)
}

const PROFILE = 66 // Baseline
const COMPAT = 0xc0 // constraint_set0 and set1: Constrained Baseline
const LEVEL = 30 // 3.0
const LOG2_MAX_FRAME_NUM = 4

export interface H264Stream {
  sps: Uint8Array
  pps: Uint8Array
  /** One NAL unit (a slice) per frame, in order. */
  frames: Uint8Array[]
  /** `avc1.PPCCLL`, for the container's codec string. */
  codec: string
}

/** A frame's samples: 8-bit luma (width x height) and the two chroma planes at half resolution. */
export interface Frame {
  y: (x: number, y: number) => number
  cb: number
  cr: number
}

/** Encodes frames of `width` x `height` (multiples of 16) as an H.264 stream. */
export function encodeH264(width: number, height: number, frames: Frame[]): H264Stream {
  const mbW = width / 16
  const mbH = height / 16
  if (!Number.isInteger(mbW) || !Number.isInteger(mbH) || mbW < 1 || mbH < 1)
    throw new RangeError('width and height must be positive multiples of 16')
  const sps = new Bits()
  sps.u(PROFILE, 8)
  sps.u(COMPAT, 8)
  sps.u(LEVEL, 8)
  sps.ue(0) // seq_parameter_set_id
  sps.ue(LOG2_MAX_FRAME_NUM - 4)
  sps.ue(2) // pic_order_cnt_type 2: output order is decode order
  sps.ue(1) // max_num_ref_frames
  sps.bit(0) // gaps_in_frame_num_value_allowed_flag
  sps.ue(mbW - 1)
  sps.ue(mbH - 1)
  sps.bit(1) // frame_mbs_only_flag
  sps.bit(1) // direct_8x8_inference_flag
  sps.bit(0) // frame_cropping_flag
  sps.bit(0) // vui_parameters_present_flag
  const pps = new Bits()
  pps.ue(0) // pic_parameter_set_id
  pps.ue(0) // seq_parameter_set_id
  pps.bit(0) // entropy_coding_mode_flag: CAVLC
  pps.bit(0) // bottom_field_pic_order_in_frame_present_flag
  pps.ue(0) // num_slice_groups_minus1
  pps.ue(0) // num_ref_idx_l0_default_active_minus1
  pps.ue(0) // num_ref_idx_l1_default_active_minus1
  pps.bit(0) // weighted_pred_flag
  pps.u(0, 2) // weighted_bipred_idc
  pps.se(0) // pic_init_qp_minus26
  pps.se(0) // pic_init_qs_minus26
  pps.se(0) // chroma_qp_index_offset
  pps.bit(1) // deblocking_filter_control_present_flag
  pps.bit(0) // constrained_intra_pred_flag
  pps.bit(0) // redundant_pic_cnt_present_flag
  const clamp = (v: number) => Math.max(16, Math.min(235, Math.round(v))) // never 0: no emulation inside samples
  const slices = frames.map((frame, index) => {
    const idr = index === 0
    const s = new Bits()
    s.ue(0) // first_mb_in_slice
    s.ue(7) // slice_type: I (all slices of the picture)
    s.ue(0) // pic_parameter_set_id
    s.u(index % (1 << LOG2_MAX_FRAME_NUM), LOG2_MAX_FRAME_NUM) // frame_num
    if (idr) s.ue(0) // idr_pic_id
    if (idr) {
      s.bit(0) // no_output_of_prior_pics_flag
      s.bit(0) // long_term_reference_flag
    } else s.bit(0) // adaptive_ref_pic_marking_mode_flag
    s.se(0) // slice_qp_delta
    s.ue(1) // disable_deblocking_filter_idc: off
    for (let my = 0; my < mbH; my++)
      for (let mx = 0; mx < mbW; mx++) {
        s.ue(25) // mb_type I_PCM
        while (!s.aligned) s.bit(0) // pcm_alignment_zero_bit
        for (let y = 0; y < 16; y++) for (let x = 0; x < 16; x++) s.byte(clamp(frame.y(mx * 16 + x, my * 16 + y)))
        for (let i = 0; i < 64; i++) s.byte(clamp(frame.cb))
        for (let i = 0; i < 64; i++) s.byte(clamp(frame.cr))
      }
    return nal(3, idr ? 5 : 1, s.trailing())
  })
  const hex = (n: number) => n.toString(16).padStart(2, '0')
  return {
    sps: nal(3, 7, sps.trailing()),
    pps: nal(3, 8, pps.trailing()),
    frames: slices,
    codec: `avc1.${hex(PROFILE)}${hex(COMPAT)}${hex(LEVEL)}`,
  }
}

/** The `avcC` decoder configuration record (ISO/IEC 14496-15) for a stream: 4-byte NAL lengths. */
export function avcC(stream: H264Stream): Uint8Array {
  const { sps, pps } = stream
  return Uint8Array.from([
    1,
    sps[1] ?? PROFILE,
    sps[2] ?? COMPAT,
    sps[3] ?? LEVEL,
    0xff, // 6 reserved bits, lengthSizeMinusOne = 3
    0xe1, // 3 reserved bits, one SPS
    sps.length >> 8,
    sps.length & 0xff,
    ...sps,
    1, // one PPS
    pps.length >> 8,
    pps.length & 0xff,
    ...pps,
  ])
}

/** A NAL unit with its 4-byte length prefix (AVCC sample format). */
export function lengthPrefixed(unit: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + unit.length)
  new DataView(out.buffer).setUint32(0, unit.length)
  out.set(unit, 4)
  return out
}

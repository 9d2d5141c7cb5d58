// Builders for the two structured inputs of Kling video generation: a scripted camera move and a
// motion brush. Both return the spec's types, so they drop straight into `videoGeneration` input.
import type { components } from '@goapi/types'

type Schemas = components['schemas']
type CameraControl = Schemas['KlingCameraControl']
type CameraConfig = Schemas['KlingCameraControlConfig']
type MotionBrush = Schemas['KlingMotionBrush']
type ControlPoints = Schemas['KlingControlPoints']

/** One of the six camera axes of a `simple` camera move. */
export type KlingCameraAxis = keyof CameraConfig
/** Kling's preset camera moves, the named values of `KlingCameraControl.type` (upstream presets; unverified on GoAPI). */
export type KlingCameraPreset = 'down_back' | 'forward_up' | 'right_turn_forward' | 'left_turn_forward'

const AXES: readonly KlingCameraAxis[] = ['horizontal', 'vertical', 'pan', 'tilt', 'roll', 'zoom']
const still = (): CameraConfig => ({ horizontal: 0, vertical: 0, pan: 0, tilt: 0, roll: 0, zoom: 0 })

/**
 * A `simple` camera move along one axis: `amount` is an integer from -10 to 10 (Kling moves the
 * camera along one axis at a time). Throws `RangeError` for other amounts or axes.
 *
 * @example videoGeneration(goapi, { prompt, camera_control: klingCameraMove('zoom', 5) })
 */
export function klingCameraMove(axis: KlingCameraAxis, amount: number): CameraControl {
  if (!AXES.includes(axis)) throw new RangeError(`Unknown camera axis ${String(axis)}; use one of ${AXES.join(', ')}`)
  if (!Number.isInteger(amount) || amount < -10 || amount > 10)
    throw new RangeError(`Camera ${axis} must be an integer from -10 to 10, got ${amount}`)
  return { type: 'simple', config: { ...still(), [axis]: amount } }
}

/** A preset camera move (`down_back`, `forward_up`, `right_turn_forward`, `left_turn_forward`); `config` is all zeros as the schema requires it. */
export function klingCameraPreset(preset: KlingCameraPreset): CameraControl {
  return { type: preset, config: still() }
}

/** A point in pixels of the first frame: `{x, y}` or `[x, y]`. */
export type KlingPoint = { x: number; y: number } | readonly [number, number]

export interface KlingMotionBrushOptions {
  /** URL of the PNG mask of every brushed area, the pixel size of the input image. */
  maskUrl?: string
  /** Paths along which painted areas move: one list of points per moving area. */
  paths: ReadonlyArray<ReadonlyArray<KlingPoint>>
  /** Areas that stay still; default one empty area, as the API asks. */
  staticAreas?: ReadonlyArray<ReadonlyArray<KlingPoint>>
}

const toPoints = (points: ReadonlyArray<KlingPoint>): ControlPoints => ({
  points: points.map((p) => {
    const [x, y] = 'x' in p ? [p.x, p.y] : [p[0], p[1]]
    if (!Number.isFinite(x) || !Number.isFinite(y) || x < 0 || y < 0)
      throw new RangeError(`Motion brush points are non-negative pixel coordinates, got (${x}, ${y})`)
    return { x, y }
  }),
})

/**
 * A motion brush for image-to-video (`input.motion_brush`): the mask plus the movement paths.
 * Every path needs at least two points. Throws `RangeError` for bad points.
 *
 * @example klingMotionBrush({ maskUrl, paths: [[[320, 410], [360, 400], [410, 385]]] })
 */
export function klingMotionBrush(options: KlingMotionBrushOptions): MotionBrush {
  if (options.paths.length === 0) throw new RangeError('A motion brush needs at least one path')
  for (const path of options.paths)
    if (path.length < 2) throw new RangeError('Each motion brush path needs at least two points')
  const brush: MotionBrush = {
    static_masks: options.staticAreas?.length ? options.staticAreas.map(toPoints) : [{ points: [] }],
    dynamic_masks: options.paths.map(toPoints),
  }
  if (options.maskUrl !== undefined) brush.mask_url = options.maskUrl
  return brush
}

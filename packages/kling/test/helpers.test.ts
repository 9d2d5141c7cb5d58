// Camera-control and motion-brush builders: their output passes the simulator's spec validation
// inside a real video_generation request over HTTP.
import { createClient, type GoApiClient } from '@goapi/client'
import { startMock, type MockServer } from '@goapi/mock'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { klingCameraMove, klingCameraPreset, klingMotionBrush, videoGeneration } from '../src/index.js'

let mock: MockServer
let goapi: GoApiClient

beforeAll(async () => {
  mock = await startMock({ latency: { pendingMs: 5, processingMs: 10 } })
  goapi = createClient({
    apiKey: 'kling-test-key',
    baseUrl: mock.url,
    wait: { poll: { initialDelayMs: 5, maxDelayMs: 20 } },
  })
})
afterAll(() => mock.close())

describe('klingCameraMove', () => {
  it('moves along one axis and keeps the others still', () => {
    expect(klingCameraMove('pan', -10)).toEqual({
      type: 'simple',
      config: { horizontal: 0, vertical: 0, pan: -10, tilt: 0, roll: 0, zoom: 0 },
    })
    expect(klingCameraPreset('forward_up')).toEqual({
      type: 'forward_up',
      config: { horizontal: 0, vertical: 0, pan: 0, tilt: 0, roll: 0, zoom: 0 },
    })
  })
  it('rejects amounts outside -10..10 and fractions', () => {
    expect(() => klingCameraMove('zoom', 11)).toThrow(RangeError)
    expect(() => klingCameraMove('zoom', 2.5)).toThrow(RangeError)
  })
  it('is accepted by the API in a text-to-video request', async () => {
    const task = await videoGeneration(goapi, {
      prompt: 'a drone shot over a canyon',
      camera_control: klingCameraMove('zoom', 5),
    })
    expect(task.status).toBe('completed')
    expect(task.input).toMatchObject({ camera_control: { type: 'simple', config: { zoom: 5 } } })
  })
})

describe('klingMotionBrush', () => {
  it('builds the mask, a default still area and the paths from either point form', () => {
    expect(
      klingMotionBrush({ maskUrl: 'https://example.com/mask.png', paths: [[[320, 410], { x: 360, y: 400 }]] }),
    ).toEqual({
      mask_url: 'https://example.com/mask.png',
      static_masks: [{ points: [] }],
      dynamic_masks: [
        {
          points: [
            { x: 320, y: 410 },
            { x: 360, y: 400 },
          ],
        },
      ],
    })
  })
  it('rejects empty paths and negative points', () => {
    expect(() => klingMotionBrush({ paths: [] })).toThrow(RangeError)
    expect(() => klingMotionBrush({ paths: [[[1, 1]]] })).toThrow(/two points/)
    expect(() =>
      klingMotionBrush({
        paths: [
          [
            [1, 1],
            [-1, 2],
          ],
        ],
      }),
    ).toThrow(RangeError)
  })
  it('is accepted by the API in an image-to-video request', async () => {
    const motion_brush = klingMotionBrush({
      maskUrl: 'https://example.com/mask.png',
      paths: [
        [
          [320, 410],
          [360, 400],
          [410, 385],
        ],
      ],
    })
    const task = await videoGeneration(goapi, {
      prompt: 'the kite flies away',
      image_url: 'https://example.com/kite.png',
      version: '1.0',
      mode: 'std',
      duration: 5,
      motion_brush,
    })
    expect(task.status).toBe('completed')
    expect(task.input).toMatchObject({ motion_brush })
  })
})

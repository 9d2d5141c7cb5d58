import { createClient } from '@goapi/client'
import { describe, expectTypeOf, it } from 'vitest'
import { aiTryOn, lipSync, omniVideoGeneration, videoGeneration, type KlingCameraControl } from '../src/index.js'

const goapi = createClient({ apiKey: 'k' })

describe('@goapi/kling types', () => {
  it('the documented examples compile and outputs are typed', async () => {
    const camera: KlingCameraControl = {
      type: 'simple',
      config: { horizontal: 0, vertical: 0, pan: 0, tilt: 0, roll: 0, zoom: 5 },
    }
    const task = await videoGeneration(goapi, {
      prompt: 'a cat surfing',
      duration: 5,
      aspect_ratio: '16:9',
      mode: 'std',
      camera_control: camera,
    })
    expectTypeOf(task.model).toEqualTypeOf<'kling'>()
    expectTypeOf(task.task_type).toEqualTypeOf<'video_generation'>()
    // The output is the classic shape or, for `version: '3.0'`, the Kling 3.0 shape: narrow it.
    if ('video' in task.output) expectTypeOf(task.output).toEqualTypeOf<{ video: string }>()
    else expectTypeOf(task.output.video_url).toEqualTypeOf<string | undefined>()
    const omni = await omniVideoGeneration.create(goapi, { prompt: 'a city at night' })
    expectTypeOf(omni.task_type).toEqualTypeOf<'omni_video_generation'>()
  })

  it('rejects wrong inputs', async () => {
    // @ts-expect-error: aspect_ratio must be 16:9, 9:16 or 1:1
    await videoGeneration(goapi, { prompt: 'x', aspect_ratio: '4:3' })
    // @ts-expect-error: mode is std or pro
    await videoGeneration(goapi, { prompt: 'x', mode: 'ultra' })
    // @ts-expect-error: duration is a number
    await videoGeneration(goapi, { prompt: 'x', duration: '5s' })
    // @ts-expect-error: try-on needs a model image
    await aiTryOn(goapi, { dress_input: 'https://example.com/dress.png' })
    // @ts-expect-error: lip sync needs origin_task_id or video_url
    await lipSync(goapi, { local_dubbing_url: 'https://example.com/voice.mp3' })
  })

  it('lip sync takes an earlier task or a video URL', async () => {
    await lipSync(goapi, { origin_task_id: 'abc', tts_text: 'hello' })
    await lipSync(goapi, { video_url: 'https://example.com/v.mp4', local_dubbing_url: 'https://example.com/a.mp3' })
  })

  it('the completed output of a task with variants is the union of its outputs', async () => {
    const task = await videoGeneration(goapi, { prompt: 'x', version: '3.0' })
    // @ts-expect-error: video_url exists only on the classic shape, so the union must be narrowed
    void task.output.video_url
    // @ts-expect-error: video exists only on the Kling 3.0 shape
    void task.output.video
  })

  it('rejects reading a field the output does not have', async () => {
    const task = await videoGeneration(goapi, { prompt: 'x' })
    // @ts-expect-error: a video output has no image_url
    void task.output.image_url
  })
})

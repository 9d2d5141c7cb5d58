import { describe, expectTypeOf, it } from 'vitest'
import type { CompletedTask, InputOf, OutputOf, Task, TaskTypeOf, components } from '@goapi/types'
import { createClient, defineOperation, defineTask } from '../src/index.js'

const goapi = createClient({ apiKey: 'k' })

describe('typed tasks', () => {
  it('types output by model and task type', async () => {
    const task = await goapi.run({ model: 'Qubico/flux1-schnell', task_type: 'txt2img', input: { prompt: 'a bear' } })
    expectTypeOf(task).toEqualTypeOf<CompletedTask<'Qubico/flux1-schnell', 'txt2img'>>()
    expectTypeOf(task.output.image_url).toEqualTypeOf<string | undefined>()
    // @ts-expect-error: the flux image output has no video field
    void task.output.video_url
  })

  it('rejects a task type the model does not have', () => {
    // @ts-expect-error: kontext runs only on Qubico/flux1-dev-advanced
    void goapi.createTask({ model: 'Qubico/flux1-schnell', task_type: 'kontext', input: { prompt: 'x', image: 'y' } })
    expectTypeOf<TaskTypeOf<'Qubico/flux1-dev-advanced'>>().toExtend<string>()
  })

  it('rejects an unknown model', () => {
    // @ts-expect-error: not a model
    void goapi.createTask({ model: 'Qubico/flux9', task_type: 'txt2img', input: { prompt: 'x' } })
  })

  it('requires required input and checks types and enums', () => {
    // @ts-expect-error: prompt is required
    void goapi.createTask({ model: 'Qubico/flux1-dev', task_type: 'txt2img', input: { width: 512 } })
    // @ts-expect-error: width is a number
    void goapi.createTask({ model: 'Qubico/flux1-dev', task_type: 'txt2img', input: { prompt: 'x', width: '512' } })
    // @ts-expect-error: unknown input field
    void goapi.createTask({ model: 'Qubico/flux1-dev', task_type: 'txt2img', input: { prompt: 'x', colour: 'red' } })
    void goapi.createTask({
      model: 'Qubico/flux1-dev',
      task_type: 'txt2img',
      input: { prompt: 'x' },
      // @ts-expect-error: service_mode is public, private or ""
      config: { service_mode: 'shared' },
    })
  })

  it('leaves output unknown on the untyped escape hatch', async () => {
    const task = await goapi.createUntypedTask({ model: 'brand-new-model', task_type: 'anything', input: { foo: 1 } })
    expectTypeOf(task.output).toBeUnknown()
  })

  it('defineTask builds typed family functions', async () => {
    const txt2img = defineTask(['Qubico/flux1-schnell', 'Qubico/flux1-dev'], 'txt2img', 'image')
    const done = await txt2img(goapi, { prompt: 'x' })
    expectTypeOf(done.output).toEqualTypeOf<OutputOf<'Qubico/flux1-schnell', 'txt2img'>>()
    const created = await txt2img.create(goapi, { prompt: 'x' }, { model: 'Qubico/flux1-dev' })
    expectTypeOf(created).toEqualTypeOf<Task<'Qubico/flux1-dev', 'txt2img'>>()
    // @ts-expect-error: not a model of this function
    void txt2img(goapi, { prompt: 'x' }, { model: 'Qubico/flux1-dev-advanced' })
    expectTypeOf<Parameters<typeof txt2img>[1]>().toEqualTypeOf<InputOf<'Qubico/flux1-schnell', 'txt2img'>>()
  })

  it('defineOperation types parameters, body and answer from the spec', async () => {
    const speech = defineOperation('post', '/v1/audio/speech', { auth: 'bearer', bodyType: 'json', response: 'binary' })
    expectTypeOf(await speech(goapi, { model: 'tts-1', input: 'hi', voice: 'alloy' })).toEqualTypeOf<Blob>()
    // @ts-expect-error: `input` is required
    void speech(goapi, { model: 'tts-1', voice: 'alloy' })
    expectTypeOf(
      await speech.stream(goapi, { model: 'tts-1', input: 'hi', voice: 'alloy' }, { maxBytes: 1e6 }),
    ).toEqualTypeOf<ReadableStream<Uint8Array>>()
    // @ts-expect-error: `input` is required by the stream form too
    void speech.stream(goapi, { model: 'tts-1', voice: 'alloy' })
    const getMusic = defineOperation('get', '/api/suno/v1/music/{task_id}', {
      auth: 'apiKey',
      bodyType: 'none',
      response: 'json',
    })
    expectTypeOf(await getMusic(goapi, { task_id: 'x' }, { timeoutMs: 5 })).toEqualTypeOf<
      components['schemas']['SunoLegacyMusicResponse']
    >()
    // @ts-expect-error: the path parameter is required
    void getMusic(goapi)
    // @ts-expect-error: only a binary answer has a `.stream()` form
    void getMusic.stream
    // @ts-expect-error: not a GET route of the spec
    void defineOperation('get', '/v1/audio/speech', { auth: 'bearer', bodyType: 'none', response: 'json' })
    const upload = defineOperation('post', '/v1/audio/transcriptions', {
      auth: 'bearer',
      bodyType: 'multipart',
      response: 'json',
      files: ['file'],
    })
    void upload(goapi, { file: new Blob([]), model: 'whisper-1' })
    // @ts-expect-error: a file field takes a Blob
    void upload(goapi, { file: 42, model: 'whisper-1' })
  })
})

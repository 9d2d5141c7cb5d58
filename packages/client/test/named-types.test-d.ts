// Public types are named: `InputOf`/`OutputOf` resolve to the generated interfaces editors show
// (`FluxTxt2imgInput`, `FluxImageOutput`), outputs have no index signature, and progress callbacks
// receive the typed task.
import { describe, expectTypeOf, it } from 'vitest'
import type {
  FluxImageOutput,
  FluxTxt2imgInput,
  InputOf,
  KlingVideo3Output,
  KlingVideoOutput,
  OutputOf,
  Task,
  UntypedTask,
} from '@goapi/types'
import { createClient, defineTask } from '../src/index.js'

const goapi = createClient({ apiKey: 'k' })

describe('named input and output types', () => {
  it('InputOf and OutputOf resolve to the named types', () => {
    expectTypeOf<InputOf<'Qubico/flux1-dev', 'txt2img'>>().toEqualTypeOf<FluxTxt2imgInput>()
    expectTypeOf<InputOf<'Qubico/flux1-schnell', 'txt2img'>>().toEqualTypeOf<FluxTxt2imgInput>()
    expectTypeOf<OutputOf<'Qubico/flux1-dev', 'txt2img'>>().toEqualTypeOf<FluxImageOutput>()
    expectTypeOf<OutputOf<'kling', 'video_generation'>>().toEqualTypeOf<KlingVideoOutput | KlingVideo3Output>()
  })

  it('outputs have no index signature', () => {
    expectTypeOf<string extends keyof FluxImageOutput ? true : false>().toEqualTypeOf<false>()
    expectTypeOf<keyof FluxImageOutput>().toExtend<string>()
  })
})

describe('typed progress callbacks', () => {
  it('run, wait and task functions pass the typed task to onProgress', async () => {
    await goapi.run(
      { model: 'Qubico/flux1-schnell', task_type: 'txt2img', input: { prompt: 'x' } },
      {
        onProgress: (task) => {
          expectTypeOf(task).toEqualTypeOf<Task<'Qubico/flux1-schnell', 'txt2img'>>()
          expectTypeOf(task.output).toEqualTypeOf<FluxImageOutput | null>()
        },
      },
    )
    const created = await goapi.createTask({ model: 'Qubico/flux1-dev', task_type: 'txt2img', input: { prompt: 'x' } })
    await goapi.wait(created, { onProgress: (task) => expectTypeOf(task.model).toEqualTypeOf<'Qubico/flux1-dev'>() })
    const txt2img = defineTask(['Qubico/flux1-schnell', 'Qubico/flux1-dev'], 'txt2img', 'image')
    await txt2img(
      goapi,
      { prompt: 'x' },
      { onProgress: (task) => expectTypeOf(task.output).toEqualTypeOf<FluxImageOutput | null>() },
    )
    await txt2img(
      goapi,
      { prompt: 'x' },
      {
        model: 'Qubico/flux1-dev',
        onProgress: (task) => expectTypeOf(task.model).toEqualTypeOf<'Qubico/flux1-dev'>(),
      },
    )
    // An untyped task still gets an untyped callback.
    await goapi.wait('task-id', { onProgress: (task) => expectTypeOf(task).toEqualTypeOf<UntypedTask>() })
  })

  it('a callback for another task type does not fit', async () => {
    const created = await goapi.createTask({ model: 'Qubico/flux1-dev', task_type: 'txt2img', input: { prompt: 'x' } })
    const onVideo = (task: Task<'kling', 'video_generation'>) => void task.output
    // @ts-expect-error: the callback expects a Kling video task
    await goapi.wait(created, { onProgress: onVideo })
  })
})

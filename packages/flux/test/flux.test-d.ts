import { createClient } from '@goapi/client'
import { describe, expectTypeOf, it } from 'vitest'
import { img2img, kontext, txt2img, txt2imgLora, type FluxTxt2imgInput } from '../src/index.js'

const goapi = createClient({ apiKey: 'k' })

describe('@goapi/flux types', () => {
  it('the documented examples compile and outputs are typed', async () => {
    const task = await txt2img(
      goapi,
      { prompt: 'a little cat', width: 1024, height: 1024 },
      { model: 'Qubico/flux1-dev' },
    )
    expectTypeOf(task.output.image_url).toEqualTypeOf<string | undefined>()
    expectTypeOf(task.model).toEqualTypeOf<'Qubico/flux1-dev'>()
    const edited = await kontext(goapi, {
      prompt: 'change the word Piapi to Pineapple',
      image: 'https://example.com/in.png',
      steps: 10,
      seed: -1,
    })
    expectTypeOf(edited.output.image_urls).toEqualTypeOf<string[] | undefined>()
    await txt2imgLora(goapi, { prompt: 'a girl', lora_settings: [{ lora_type: 'anime', lora_strength: 1 }] })
    expectTypeOf<FluxTxt2imgInput['prompt']>().toEqualTypeOf<string>()
  })

  it('rejects wrong inputs', async () => {
    // @ts-expect-error: prompt is required
    await txt2img(goapi, { width: 512 })
    // @ts-expect-error: width is a number
    await txt2img(goapi, { prompt: 'x', width: 'wide' })
    // @ts-expect-error: img2img needs an image
    await img2img(goapi, { prompt: 'x' })
    // @ts-expect-error: kontext runs only on Qubico/flux1-dev-advanced
    await kontext(goapi, { prompt: 'x', image: 'y' }, { model: 'Qubico/flux1-dev' })
    // @ts-expect-error: unknown field
    await txt2img(goapi, { prompt: 'x', style: 'oil' })
  })

  it('rejects reading a field the output does not have', async () => {
    const task = await txt2img(goapi, { prompt: 'x' })
    // @ts-expect-error: an image output has no video
    void task.output.video_url
  })
})

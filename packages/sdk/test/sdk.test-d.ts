import * as direct from '@goapi/flux'
import { describe, expectTypeOf, it } from 'vitest'
import { createClient, flux, gptImage, kling, type GoApiClient } from '../src/index.js'

describe('@goapi/sdk types', () => {
  it('re-exports the client and each family as a namespace, types included', () => {
    expectTypeOf(createClient({ apiKey: 'k' })).toEqualTypeOf<GoApiClient>()
    expectTypeOf(flux.txt2img).toEqualTypeOf(direct.txt2img)
    expectTypeOf<flux.FluxImageOutput>().toEqualTypeOf<direct.FluxImageOutput>()
    expectTypeOf(kling.videoGeneration).toBeFunction()
    expectTypeOf(gptImage).toBeObject()
  })

  it('family functions stay typed through the namespace', async () => {
    const goapi = createClient({ apiKey: 'k' })
    const run = () => flux.txt2img(goapi, { prompt: 'a lighthouse' }, { model: 'Qubico/flux1-dev' })
    type Done = Awaited<ReturnType<typeof run>>
    expectTypeOf<Done['output']['image_url']>().toEqualTypeOf<string | undefined>()
    expectTypeOf<Done['model']>().toEqualTypeOf<'Qubico/flux1-dev'>()
    // @ts-expect-error prompt is required
    void (() => flux.txt2img(goapi, {}))
  })
})

import type { CompletedTask, GoApiClient } from '@goapi/client'
import { describe, expectTypeOf, it } from 'vitest'
import { upscaleFrom, variationFrom, panFrom } from '../src/index.js'

declare const goapi: GoApiClient
declare const grid: CompletedTask<'midjourney', 'imagine'>
declare const up: CompletedTask<'midjourney', 'upscale'>

describe('follow-up index types', () => {
  it('allows the indices that fit the origin', () => {
    expectTypeOf(upscaleFrom(goapi, grid, '3')).resolves.toEqualTypeOf<CompletedTask<'midjourney', 'upscale'>>()
    void upscaleFrom(goapi, up, 'subtle')
    void variationFrom(goapi, up, 'low_variation')
    void variationFrom(goapi, 'some-task-id', '1', { prompt: 'p' })
  })
  it('rejects indices that do not fit', () => {
    // @ts-expect-error a grid has no `subtle` upscale
    void upscaleFrom(goapi, grid, 'subtle')
    // @ts-expect-error an upscaled image has no cells
    void upscaleFrom(goapi, up, '2')
    // @ts-expect-error Vary (Strong) needs an upscaled task
    void variationFrom(goapi, grid, 'high_variation')
    // @ts-expect-error '5' is not an index
    void upscaleFrom(goapi, 'id', '5')
    // @ts-expect-error pan only acts on an upscaled task
    void panFrom(goapi, grid, 'left')
    // @ts-expect-error by id the prompt is required
    void variationFrom(goapi, 'id', '1')
  })
})

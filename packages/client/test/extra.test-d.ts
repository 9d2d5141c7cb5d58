// Input types stay closed (a typo of a known field is a compile error); `extra` is the typed way
// to send keys the spec does not know.
import { describe, expectTypeOf, it } from 'vitest'
import { createClient, defineTask, type ExtraInput } from '../src/index.js'

const goapi = createClient({ apiKey: 'k' })
const txt2img = defineTask(['Qubico/flux1-schnell'], 'txt2img', 'image')

describe('extra input keys', () => {
  it('a typo of a known field in input does not compile', () => {
    // @ts-expect-error: `promt` is not a field of the input (did you mean `prompt`?)
    void txt2img(goapi, { promt: 'a fox' })
    // @ts-expect-error: the same typo through `.create`
    void txt2img.create(goapi, { prompt: 'a fox', widht: 512 })
  })

  it('unknown keys go in `extra`', () => {
    void txt2img(goapi, { prompt: 'a fox' }, { extra: { colour: 'red', seed_v2: 7 } })
    void txt2img.create(goapi, { prompt: 'a fox' }, { extra: { nested: { any: ['thing'] } } })
  })

  it('a known field in `extra` does not compile (its type would go unchecked)', () => {
    // @ts-expect-error: `width` is a known field: put it in input
    void txt2img(goapi, { prompt: 'a fox' }, { extra: { width: 'wide' } })
  })

  it('ExtraInput forbids exactly the known keys', () => {
    type E = ExtraInput<{ prompt: string; width?: number }>
    expectTypeOf<{ colour: string }>().toExtend<E>()
    expectTypeOf<{ width: number }>().not.toExtend<E>()
  })
})

// The generator's checks of `x-goapi-task.variants` (spec/README.md, "Output variants"), on small
// in-memory documents so each broken variant is seen on its own.
import { describe, expect, it } from 'vitest'
import { validateBundle } from '../../../scripts/lib/validate.js'
import type { FamilyMeta, JsonObject } from '../../../scripts/lib/spec-files.js'

function doc(variants: unknown, extra: JsonObject = {}): JsonObject {
  const output = (name: string) => ({
    title: name,
    type: 'object',
    additionalProperties: true,
    properties: { video: { type: 'string' } },
    examples: [{ video: 'https://example.com/a.mp4' }],
  })
  return {
    openapi: '3.1.0',
    components: {
      schemas: {
        TaskConfig: { type: 'object' },
        DemoInput: {
          type: 'object',
          additionalProperties: false,
          properties: { version: { type: 'string', enum: ['1.0', '3.0'] }, prompt: { type: 'string' } },
        },
        DemoOutput: output('DemoOutput'),
        Demo3Output: output('Demo3Output'),
        DemoNoExamples: { type: 'object' },
        DemoRequest: {
          description: 'A demo task.',
          'x-goapi-task': { output: 'DemoOutput', kind: 'video', variants, ...extra },
          type: 'object',
          required: ['model', 'task_type', 'input'],
          additionalProperties: false,
          properties: {
            model: { type: 'string', const: 'demo' },
            task_type: { type: 'string', const: 'make' },
            input: { $ref: '#/components/schemas/DemoInput' },
            config: { $ref: '#/components/schemas/TaskConfig' },
          },
          examples: [{ model: 'demo', task_type: 'make', input: { prompt: 'x' } }],
        },
      },
    },
  } as JsonObject
}

const family: FamilyMeta = {
  name: 'demo',
  title: 'Demo',
  description: 'Demo.',
  file: 'spec/families/demo.yaml',
  schemaNames: ['DemoInput', 'DemoOutput', 'Demo3Output', 'DemoNoExamples', 'DemoRequest'],
  pathNames: [],
  webhookNames: [],
  package: true,
}

const check = (variants: unknown) => validateBundle(doc(variants), [family])

describe('x-goapi-task.variants', () => {
  it('a valid variant reaches the catalog, a single value as a list', () => {
    const { errors, tasks } = check([{ when: { version: '3.0' }, output: 'Demo3Output' }])
    expect(errors).toEqual([])
    expect(tasks[0]?.variants).toEqual([{ when: { version: ['3.0'] }, output: 'Demo3Output' }])
  })

  it('a task without variants has an empty list', () => {
    const { errors, tasks } = check(undefined)
    expect(errors).toEqual([])
    expect(tasks[0]?.variants).toEqual([])
  })

  it.each([
    ['not a list', { when: { version: '3.0' } }, /must be a list/],
    ['no when', [{ output: 'Demo3Output' }], /non-empty `when`/],
    ['empty when', [{ when: {}, output: 'Demo3Output' }], /non-empty `when`/],
    ['unknown output', [{ when: { version: '3.0' }, output: 'Nope' }], /Nope is not a component schema/],
    [
      'output without examples',
      [{ when: { version: '3.0' }, output: 'DemoNoExamples' }],
      /needs at least one examples/,
    ],
    ['field not in the input', [{ when: { versoin: '3.0' }, output: 'Demo3Output' }], /when.versoin is not a property/],
    [
      'value the field does not take',
      [{ when: { version: ['3.0', '9.9'] }, output: 'Demo3Output' }],
      /"9.9" is not valid/,
    ],
    ['empty value list', [{ when: { version: [] }, output: 'Demo3Output' }], /lists no values/],
  ])('rejects %s', (_label, variants, message) => {
    const { errors } = check(variants)
    expect(errors.join('\n')).toMatch(message)
  })
})

describe('x-goapi-task.duration', () => {
  const withDuration = (duration: unknown) => validateBundle(doc(undefined, { duration } as JsonObject), [family])

  it('a valid duration reaches the catalog entry; none is undefined', () => {
    const { errors, tasks } = withDuration({ typicalMs: 60_000, p90Ms: 90_000 })
    expect(errors).toEqual([])
    expect(tasks[0]?.duration).toEqual({ typicalMs: 60_000, p90Ms: 90_000 })
    expect(check(undefined).tasks[0]?.duration).toBeUndefined()
  })

  it.each([
    ['a string', '60s'],
    ['p90 under typical', { typicalMs: 60_000, p90Ms: 30_000 }],
    ['a fraction', { typicalMs: 1.5, p90Ms: 3 }],
    ['zero', { typicalMs: 0, p90Ms: 10 }],
    ['over a day', { typicalMs: 1_000, p90Ms: 90_000_000 }],
    ['an unknown key', { typicalMs: 1_000, p90Ms: 2_000, p99Ms: 3_000 }],
  ])('rejects %s', (_label, duration) => {
    const { errors, tasks } = withDuration(duration)
    expect(errors.join('\n')).toContain('x-goapi-task.duration must be')
    expect(tasks[0]?.duration).toBeUndefined()
  })
})

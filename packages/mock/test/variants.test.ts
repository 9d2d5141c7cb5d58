// Completed outputs follow the output schema the input selects (catalog `variants`), and every
// task type's completed task validates against the spec: the task envelope and its output schema.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { outputFor, startMock, type MockServer } from '../src/index.js'
import { call, type TaskBody } from './helpers.js'

const KEY = 'variants-test-key'
let mock: MockServer

beforeAll(async () => {
  mock = await startMock({})
})
afterAll(() => mock.close())

async function completed(body: unknown): Promise<TaskBody> {
  const created = await call<TaskBody>(mock, 'POST', '/api/v1/task', KEY, body)
  expect(created.status, JSON.stringify(created.body)).toBe(200)
  return (await call<TaskBody>(mock, 'GET', `/api/v1/task/${created.body.data.task_id}`, KEY)).body
}

/** Sets a dotted input path to a value. */
function withValue(input: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> {
  const copy = structuredClone(input)
  const keys = path.split('.')
  let node: Record<string, unknown> = copy
  for (const key of keys.slice(0, -1)) node = (node[key] ??= {}) as Record<string, unknown>
  node[keys.at(-1) ?? ''] = value
  return copy
}

describe('outputs by variant', () => {
  it('has variants in the catalog to test', () => {
    expect(mock.spec.catalog.tasks.some((t) => (t.variants ?? []).length > 0)).toBe(true)
  })

  it('renders each variant the input selects, valid against that variant schema', async () => {
    let checked = 0
    for (const task of mock.spec.catalog.tasks) {
      for (const variant of task.variants ?? []) {
        const example = mock.spec.example(task.request) as { input: Record<string, unknown> }
        let input = example.input
        for (const [path, wanted] of Object.entries(variant.when))
          input = withValue(input, path, Array.isArray(wanted) ? wanted[0] : wanted)
        expect(outputFor(task, input)).toBe(variant.output)
        const body = await completed({ ...example, input })
        expect(body.data.status).toBe('completed')
        expect(mock.spec.check(variant.output, body.data.output)).toEqual([])
        // The rendered output is the variant's own example, not the default shape.
        const keys = Object.keys(mock.spec.example(variant.output) as object)
        expect(Object.keys(body.data.output ?? {}).sort()).toEqual(keys.sort())
        checked++
      }
    }
    expect(checked).toBeGreaterThan(0)
  })

  it('renders Kling 3.0 as {video} and the classic shape with video_url beside works', async () => {
    const kling = mock.spec.catalog.tasks.find(
      (t) => t.family === 'kling' && t.output === 'KlingVideoOutput' && t.taskType === 'video_generation',
    )
    expect(kling).toBeDefined()
    const example = mock.spec.example(kling?.request ?? '') as { input: Record<string, unknown> }
    const v3 = await completed({ ...example, input: { ...example.input, version: '3.0' } })
    expect(Object.keys(v3.data.output ?? {})).toEqual(['video'])
    expect(String(v3.data.output?.video)).toMatch(new RegExp(`^${mock.url}/files/.+\\.mp4$`))
    const classic = await completed({ ...example, input: { ...example.input, version: '2.1' } })
    expect(classic.data.output).toHaveProperty('video_url')
    expect(classic.data.output).toHaveProperty('works')
    expect(String(classic.data.output?.video_url)).toMatch(new RegExp(`^${mock.url}/files/.+\\.mp4$`))
  })
})

describe('every task type', () => {
  it('completes with a task and output valid against the spec', async () => {
    const problems: string[] = []
    for (const task of mock.spec.catalog.tasks) {
      const example = mock.spec.example(task.request) as Record<string, unknown>
      const body = await completed(example)
      const schema = outputFor(task, example.input)
      const errors = [
        ...mock.spec.check('TaskResponse', body).map((e) => `TaskResponse ${e.path} ${e.message}`),
        ...mock.spec.check(schema, body.data.output).map((e) => `${schema} ${e.path} ${e.message}`),
      ]
      if (errors.length > 0) problems.push(`${task.family} ${task.taskType}: ${errors.join('; ')}`)
    }
    expect(problems).toEqual([])
  })
})

// `extra` on task functions: input keys the spec does not know reach GoAPI as given (here the
// simulator, which accepts unknown keys like GoAPI), merged beside the typed input.
import { startMock, type MockServer } from '@goapi/mock'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createClient, defineTask } from '../src/index.js'

const KEY = 'extra-test-key'
let mock: MockServer
beforeAll(async () => {
  mock = await startMock({ keys: [KEY], latency: { pendingMs: 0, processingMs: 0 } })
})
afterAll(() => mock.close())

const txt2img = defineTask(['Qubico/flux1-schnell', 'Qubico/flux1-dev'], 'txt2img', 'image')

it('sends extra keys beside the typed input; the typed input wins on a clash', async () => {
  const goapi = createClient({ apiKey: KEY, baseUrl: mock.url })
  const clash = { prompt: 'from extra' } as Record<string, unknown>
  const created = await txt2img.create(goapi, { prompt: 'a red fox' }, { extra: { colour: 'red', ...clash } })
  const task = await goapi.getTask(created.task_id)
  expect(task.input).toMatchObject({ prompt: 'a red fox', colour: 'red' })
})

it('without extra the input is sent as it is', async () => {
  const goapi = createClient({ apiKey: KEY, baseUrl: mock.url })
  const created = await txt2img.create(goapi, { prompt: 'plain' })
  expect((await goapi.getTask(created.task_id)).input).toEqual(expect.not.objectContaining({ colour: 'red' }))
})

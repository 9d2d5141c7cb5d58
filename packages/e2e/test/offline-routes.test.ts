// The non-task routes through their generated package functions, the client and the simulator
// over real HTTP: LLM chat (plain and streamed), embeddings, speech, images, GPTs, the upload
// route and Suno's legacy routes all run offline. Routes the spec puts on another host (upload,
// GPTs) are pointed at the simulator with the per-call `{ baseUrl }`.
import { createClient, type GoApiClient } from '@goapi/client'
import { generate } from '@goapi/gpt-image'
import { createConversation } from '@goapi/gpts'
import { collectChatText, chatCompletion, createEmbeddings, createSpeech, streamChatCompletion } from '@goapi/llm'
import { startMock, type MockServer } from '@goapi/mock'
import { legacyCreateMusic, legacyGetMusic } from '@goapi/suno'
import { uploadFile } from '@goapi/tools'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

let mock: MockServer
let goapi: GoApiClient

beforeAll(async () => {
  mock = await startMock({})
  goapi = createClient({ apiKey: 'e2e-offline-key', baseUrl: mock.url })
})
afterAll(() => mock.close())

describe('non-task routes against the simulator', () => {
  it('LLM chat: a reply derived from the prompt, plain and streamed', async () => {
    const messages = [{ role: 'user' as const, content: 'Say hello' }]
    const plain = await chatCompletion(goapi, { model: 'gpt-4o-mini', messages })
    expect(plain.choices[0]?.message?.content).toBe('Simulated reply to "Say hello".')
    const streamed = await collectChatText(streamChatCompletion(goapi, { model: 'gpt-4o-mini', messages }))
    expect(streamed).toBe('Simulated reply to "Say hello".')
  })

  it('embeddings and speech', async () => {
    const list = await createEmbeddings(goapi, { model: 'text-embedding-3-small', input: ['a', 'b'] })
    expect(list.data).toHaveLength(2)
    expect(list.data[0]?.embedding).not.toEqual(list.data[1]?.embedding)
    const audio = await createSpeech(goapi, { model: 'tts-1', input: 'Hello there', voice: 'alloy' })
    const bytes = Buffer.from(await (audio as Blob).arrayBuffer())
    expect(bytes.subarray(0, 2).toString('hex')).toBe('fffb') // an MPEG audio frame
  })

  it('images: real PNGs', async () => {
    const images = await generate(goapi, { model: 'gpt-image-1', prompt: 'a fox', n: 2 })
    expect(images.data).toHaveLength(2)
    const png = Buffer.from(String(images.data?.[0]?.b64_json), 'base64')
    expect(png.subarray(1, 4).toString('ascii')).toBe('PNG')
  })

  it('GPTs conversation streams from the simulator when pointed there', async () => {
    const events = []
    for await (const event of await createConversation(
      goapi,
      { model: 'gpt-4o', content: { content_type: 'text', parts: ['hello'] } },
      { baseUrl: mock.url },
    ))
      events.push(event)
    expect(events.length).toBeGreaterThan(1)
    expect(JSON.stringify(events.at(-1))).toContain('Simulated reply to \\"hello\\".')
  })

  it('upload: the upload host route is served on the simulator port', async () => {
    const answer = await uploadFile(
      goapi,
      { file_name: 'hello.png', file_data: Buffer.from('not really a png').toString('base64') },
      { baseUrl: mock.url },
    )
    expect(answer.data?.url).toMatch(new RegExp(`^${mock.url}/files/`))
  })

  it("Suno's legacy routes", async () => {
    const created = await legacyCreateMusic(goapi, {
      custom_mode: false,
      mv: 'chirp-v3-5',
      input: { gpt_description_prompt: 'rain at night' },
    })
    const id = String(created.data?.task_id)
    const task = await legacyGetMusic(goapi, { task_id: id })
    expect(task.data?.task_id).toBe(id)
  })
})

// Every operation of the bundled spec, called with the spec's own example request: the simulator
// serves it (no 404/405/5xx) and its answer validates against the operation's response schema.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readOperations, type Operation } from '../src/operations.js'
import { SpecIndex, startMock, type MockServer } from '../src/index.js'
import { exampleBodies, exampleCall, validateAnswer } from './support/examples.js'

let mock: MockServer
const KEY = 'routes-test-key'

beforeAll(async () => {
  // Kling tasks stay pending, so the cancel example has a task it may cancel.
  mock = await startMock({ latency: { byFamily: { kling: { pendingMs: 600_000 } } } })
})
afterAll(() => mock.close())

describe('every route of the spec', () => {
  it('serves every operation with an answer that validates against its response schema', async () => {
    const ops = readOperations(mock.spec)
    const served: string[] = []
    const problems: string[] = []
    let calls = 0
    for (const op of ops) {
      const errors: string[] = []
      for (const [i, body] of exampleBodies(mock.spec, op).entries()) {
        calls++
        const res = await exampleCall(mock, mock.url, op, KEY, body)
        errors.push(...(await validateAnswer(mock.spec, op, res)).map((e) => `example ${i}: ${e}`))
      }
      if (errors.length === 0) served.push(op.id)
      else problems.push(`${op.route} (${op.id}): ${errors.join('; ')}`)
    }
    expect(calls).toBeGreaterThan(ops.length)
    expect(problems).toEqual([])
    expect(`${served.length}/${ops.length}`).toBe(`${ops.length}/${ops.length}`)
    // N counted from the document itself, not from the simulator's reading of it.
    const paths = Object.values(mock.spec.doc.paths as Record<string, Record<string, unknown>>)
    const n = paths.flatMap((item) => ['get', 'post', 'put', 'patch', 'delete'].filter((m) => m in item)).length
    expect(ops.length).toBe(n)
    expect((mock.spec.catalog.operations ?? []).every((o) => ops.some((op) => op.id === o.operationId))).toBe(true)
  })

  it.each([
    ['LLM chat completion', 'llmCreateChatCompletion'],
    ['GPTs conversation', 'gptsCreateConversation'],
  ])('derives the %s reply from the prompt', async (_name, id) => {
    const op = readOperations(mock.spec).find((o) => o.id === id) as Operation
    const a = await (await exampleCall(mock, mock.url, op, KEY)).text()
    expect(a).toMatch(/Simulated reply to/)
    const again = await (await exampleCall(mock, mock.url, op, KEY)).text()
    expect(again).toBe(a)
  })
})

describe('the upload route', () => {
  it('answers a URL on the simulator of the kind of file uploaded', async () => {
    const upload = async (name: string) => {
      const res = await fetch(`${mock.url}/api/ephemeral_resource`, {
        method: 'POST',
        headers: { 'x-api-key': KEY, 'content-type': 'application/json' },
        body: JSON.stringify({ file_name: name, file_data: Buffer.from('bytes').toString('base64') }),
      })
      expect(res.status).toBe(200)
      return ((await res.json()) as { data: { url: string } }).data.url
    }
    const video = await upload('clip.mp4')
    expect(video).toMatch(new RegExp(`^${mock.url}/files/o-[0-9a-f]+/0\\.mp4$`))
    expect((await fetch(video)).headers.get('content-type')).toBe('video/mp4')
    expect(await upload('voice.wav')).toMatch(/\.wav$/)
  })
})

describe('a route added to the spec', () => {
  it('is served with no code change: JSON from its example, a binary download as bytes', async () => {
    const base = new SpecIndex()
    const doc = structuredClone(base.doc) as typeof base.doc & { paths: Record<string, unknown> }
    doc.paths['/api/example/v1/things/{thing_id}'] = {
      parameters: [{ name: 'thing_id', in: 'path', required: true, schema: { type: 'string' }, example: 'thing-1' }],
      get: {
        operationId: 'exampleGetThing',
        responses: {
          '200': {
            description: 'The thing.',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['id', 'preview_url'],
                  properties: { id: { type: 'string' }, preview_url: { type: 'string' } },
                },
                example: { id: 'thing-1', preview_url: 'https://cdn.example.com/thing-1.png' },
              },
            },
          },
        },
      },
    }
    doc.paths['/api/example/v1/things/{thing_id}/download'] = {
      get: {
        operationId: 'exampleDownloadThing',
        parameters: [{ name: 'thing_id', in: 'path', required: true, schema: { type: 'string' } }],
        responses: {
          '200': {
            description: 'The file.',
            content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } },
          },
        },
      },
    }
    const custom = await startMock({ spec: new SpecIndex(doc, base.catalog) })
    try {
      const res = await fetch(`${custom.url}/api/example/v1/things/abc`, { headers: { 'x-api-key': KEY } })
      expect(res.status).toBe(200)
      const body = (await res.json()) as { id: string; preview_url: string }
      expect(body.id).toBe('abc')
      expect(body.preview_url).toMatch(new RegExp(`^${custom.url}/files/o-[0-9a-f]+/0\\.png$`))
      expect((await fetch(body.preview_url)).headers.get('content-type')).toBe('image/png')
      const file = await fetch(`${custom.url}/api/example/v1/things/abc/download`, { headers: { 'x-api-key': KEY } })
      expect(file.status).toBe(200)
      expect(file.headers.get('content-type')).toBe('application/octet-stream')
      expect((await file.arrayBuffer()).byteLength).toBeGreaterThan(0)
      expect((await fetch(`${custom.url}/api/example/v1/things/abc`, { method: 'DELETE' })).status).toBe(405)
    } finally {
      await custom.close()
    }
  })
})

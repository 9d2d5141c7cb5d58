// defineOperation against a small local server that records what it receives: auth headers,
// per-operation hosts, path parameters, JSON and multipart bodies, and every answer mode.
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  APIConnectionError,
  AbortError,
  AuthenticationError,
  createClient,
  defineOperation,
  type GoApiClient,
} from '../src/index.js'

const KEY = 'sk-operation-test-7'
interface Seen {
  method: string
  url: string
  apiKey: string | undefined
  authorization: string | undefined
  contentType: string | undefined
  body: string
}
let seen: Seen | undefined
let server: Server
let base: string
let goapi: GoApiClient

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const c of req) chunks.push(c as Buffer)
  return Buffer.concat(chunks).toString('latin1')
}

beforeAll(async () => {
  server = createServer(async (req, res) => {
    const body = await readBody(req)
    seen = {
      method: req.method ?? '',
      url: req.url ?? '',
      apiKey: req.headers['x-api-key'] as string | undefined,
      authorization: req.headers.authorization,
      contentType: req.headers['content-type'],
      body,
    }
    const url = new URL(req.url ?? '/', 'http://x')
    const json = (status: number, value: unknown) =>
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value))
    if (url.pathname === '/v1/embeddings')
      return json(200, { object: 'list', data: [{ object: 'embedding', index: 0, embedding: [0.5] }], model: 'm' })
    if (url.pathname === '/api/ephemeral_resource') return json(200, { code: 200, data: { url: 'https://f/x.png' } })
    if (url.pathname.startsWith('/api/suno/v1/music/'))
      return json(401, { code: 401, message: `invalid key ${String(req.headers['x-api-key'])}` })
    if (url.pathname === '/v1/audio/transcriptions')
      return res.writeHead(200, { 'content-type': 'text/plain' }).end('1\n00:00:00,000 --> 00:00:01,000\nHi\n')
    if (url.pathname === '/v1/audio/speech')
      return res.writeHead(200, { 'content-type': 'audio/mpeg' }).end(Buffer.from([0x49, 0x44, 0x33, 0x04]))
    if (url.pathname === '/api/chatgpt/v1/conversation') {
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      res.write('data: {"conversation_id":"c1","message":{"status":"in_progress"}}\n\n')
      res.write(': a comment\n\ndata: {"conversation_id":"c1","message":{"status":"finished_successfully"}}\n\n')
      return res.end('data: [DONE]\n\n')
    }
    res.writeHead(404).end()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  goapi = createClient({ apiKey: KEY, baseUrl: base, maxRetries: 0 })
})
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

const embeddings = defineOperation('post', '/v1/embeddings', { auth: 'bearer', bodyType: 'json', response: 'json' })

describe('defineOperation', () => {
  it('sends a bearer route with the key as Authorization only, and parses the JSON answer', async () => {
    const list = await embeddings(goapi, { model: 'text-embedding-3-small', input: 'hi' })
    expect(list.data?.[0]?.embedding).toEqual([0.5])
    expect(seen?.authorization).toBe(`Bearer ${KEY}`)
    expect(seen?.apiKey).toBeUndefined()
    expect(JSON.parse(seen?.body ?? '')).toEqual({ model: 'text-embedding-3-small', input: 'hi' })
    expect(embeddings.method).toBe('post')
    expect(embeddings.path).toBe('/v1/embeddings')
  })

  it("a client on GoAPI's host uses the operation's own server; any other client its base URL; the call's baseUrl wins", async () => {
    const upload = defineOperation('post', '/api/ephemeral_resource', {
      auth: 'apiKey',
      servers: [base],
      bodyType: 'json',
      response: 'json',
    })
    const onGoApi = createClient({ apiKey: KEY, baseUrl: 'https://api.goapi.ai', maxRetries: 0 })
    const answer = await upload(onGoApi, { file_name: 'x.png', file_data: 'iVBO' })
    expect(answer.data.url).toBe('https://f/x.png')
    expect(seen?.apiKey).toBe(KEY)
    expect(seen?.authorization).toBeUndefined()
    const elsewhere = defineOperation('post', '/api/ephemeral_resource', {
      auth: 'apiKey',
      servers: ['http://127.0.0.1:9'],
      bodyType: 'json',
      response: 'json',
    })
    const local = createClient({ apiKey: KEY, baseUrl: base, maxRetries: 0 })
    const answer2 = await elsewhere(local, { file_name: 'z.png', file_data: 'iVBO' })
    expect(answer2.code).toBe(200)
    expect(seen?.body).toContain('z.png')
    const offline = createClient({ apiKey: KEY, baseUrl: 'http://127.0.0.1:9', maxRetries: 0 })
    const answer3 = await elsewhere(offline, { file_name: 'y.png', file_data: 'iVBO' }, { baseUrl: `${base}/` })
    expect(answer3.code).toBe(200)
    expect(seen?.body).toContain('y.png')
  })

  it('fills path parameters and maps an error answer to a typed error without the key', async () => {
    const getMusic = defineOperation('get', '/api/suno/v1/music/{task_id}', {
      auth: 'apiKey',
      bodyType: 'none',
      response: 'json',
    })
    const error = await getMusic(goapi, { task_id: 'abc 1' }).catch((e: unknown) => e)
    expect(seen?.method).toBe('GET')
    expect(seen?.url).toBe('/api/suno/v1/music/abc%201')
    expect(error).toBeInstanceOf(AuthenticationError)
    expect((error as AuthenticationError).status).toBe(401)
    expect(JSON.stringify(error)).not.toContain(KEY)
    expect((error as Error).message).not.toContain(KEY)
  })

  it('sends a multipart body with files and returns a text answer as a string', async () => {
    const transcribe = defineOperation('post', '/v1/audio/transcriptions', {
      auth: 'bearer',
      bodyType: 'multipart',
      response: 'json',
      files: ['file'],
    })
    const file = new File([new Uint8Array([1, 2, 3])], 'talk.mp3', { type: 'audio/mpeg' })
    const text = await transcribe(goapi, { file, model: 'whisper-1', response_format: 'srt' })
    expect(text).toContain('Hi')
    expect(seen?.contentType).toMatch(/^multipart\/form-data; boundary=/)
    expect(seen?.body).toContain('filename="talk.mp3"')
    expect(seen?.body).toContain('name="response_format"\r\n\r\nsrt')
  })

  it('returns a binary answer as a Blob', async () => {
    const speech = defineOperation('post', '/v1/audio/speech', { auth: 'bearer', bodyType: 'json', response: 'binary' })
    const blob = await speech(goapi, { model: 'tts-1', input: 'hi', voice: 'alloy' })
    expect(blob).toBeInstanceOf(Blob)
    expect(blob.type).toBe('audio/mpeg')
    expect([...new Uint8Array(await blob.arrayBuffer())]).toEqual([0x49, 0x44, 0x33, 0x04])
  })

  it('returns a stream answer as an async iterable of parsed events, ending at [DONE]', async () => {
    const converse = defineOperation('post', '/api/chatgpt/v1/conversation', {
      auth: 'apiKey',
      servers: ['http://127.0.0.1:9'],
      bodyType: 'json',
      response: 'stream',
    })
    const events = await converse(
      goapi,
      { model: 'gpt-4o', content: { content_type: 'text', parts: ['hello'] } },
      { baseUrl: base },
    )
    const statuses: unknown[] = []
    for await (const event of events) statuses.push(event.message?.status)
    expect(statuses).toEqual(['in_progress', 'finished_successfully'])
  })

  it('throws AbortError for an aborted call and APIConnectionError when the host is down', async () => {
    const controller = new AbortController()
    controller.abort()
    await expect(
      embeddings(goapi, { model: 'text-embedding-3-small', input: 'x' }, { signal: controller.signal }),
    ).rejects.toBeInstanceOf(AbortError)
    await expect(
      embeddings(goapi, { model: 'text-embedding-3-small', input: 'x' }, { baseUrl: 'http://127.0.0.1:9' }),
    ).rejects.toBeInstanceOf(APIConnectionError)
  })
})

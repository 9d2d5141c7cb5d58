// The OpenAI-compatible helpers against a small local server speaking JSON and server-sent events.
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { APIError, createClient, type GoApiClient } from '@goapi/client'
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest'
import {
  chatCompletion,
  collectChatText,
  createEmbeddings,
  sseData,
  streamChatCompletion,
  type LlmChatCompletionChunk,
} from '../src/index.js'

const KEY = 'sk-llm-test-7'
const WORDS = ['Waves', ' fold', ' on', ' sand']
interface Seen {
  url: string
  authorization: string | undefined
  apiKey: string | undefined
  body: Record<string, unknown>
}
const seen: Seen[] = []
let closedEarly = 0
let server: Server
let goapi: GoApiClient

const chunk = (delta: Record<string, unknown>, finish: string | null = null) => ({
  id: 'chatcmpl-1',
  object: 'chat.completion.chunk',
  created: 1722058811,
  model: 'gpt-4o-mini',
  choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
})

beforeAll(async () => {
  server = createServer((req, res) => {
    const parts: Buffer[] = []
    req.on('data', (c: Buffer) => parts.push(c))
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(parts).toString('utf8') || '{}') as Record<string, unknown>
      seen.push({
        url: req.url ?? '',
        authorization: req.headers.authorization,
        apiKey: req.headers['x-api-key'] as string | undefined,
        body,
      })
      if (req.headers.authorization !== `Bearer ${KEY}`) {
        res.writeHead(401, { 'content-type': 'application/json' })
        return res.end(JSON.stringify({ error: { message: 'invalid key', type: 'auth' } }))
      }
      if (req.url === '/v1/embeddings') {
        res.writeHead(200, { 'content-type': 'application/json' })
        return res.end(
          JSON.stringify({
            object: 'list',
            data: [{ object: 'embedding', index: 0, embedding: [0.1, -0.2] }],
            model: 'text-embedding-3-small',
            usage: { prompt_tokens: 2, total_tokens: 2 },
          }),
        )
      }
      if (!body.stream) {
        res.writeHead(200, { 'content-type': 'application/json' })
        return res.end(
          JSON.stringify({
            id: 'chatcmpl-0',
            object: 'chat.completion',
            created: 1722058811,
            model: 'gpt-4o-mini',
            choices: [{ index: 0, message: { role: 'assistant', content: 'This is a test!' }, finish_reason: 'stop' }],
            usage: { prompt_tokens: 22, completion_tokens: 5, total_tokens: 27 },
          }),
        )
      }
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' })
      res.on('close', () => {
        if (!res.writableFinished) closedEarly++
      })
      const events = [
        chunk({ role: 'assistant', content: '' }),
        ...WORDS.map((w) => chunk({ content: w })),
        chunk({}, 'stop'),
      ]
      // One event split across writes, a comment line and CRLF line ends: the parser must cope.
      res.write(': keep-alive\n\n')
      const text = events.map((e) => `data: ${JSON.stringify(e)}\r\n\r\n`).join('')
      const half = Math.floor(text.length / 2)
      res.write(text.slice(0, half))
      setImmediate(() => {
        res.write(text.slice(half))
        if (body.max_tokens === 1) return // leave the stream open: the client has to close it
        res.end('data: [DONE]\n\n')
      })
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  goapi = createClient({ apiKey: KEY, baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })
})
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

describe('chatCompletion', () => {
  it('returns the typed completion, sending the key as a bearer token', async () => {
    const completion = await chatCompletion(goapi, {
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Say this is a test!' }],
    })
    expect(completion.choices[0]?.message?.content).toBe('This is a test!')
    expect(completion.usage?.total_tokens).toBe(27)
    const last = seen.at(-1)
    expect(last?.url).toBe('/v1/chat/completions')
    expect(last?.authorization).toBe(`Bearer ${KEY}`)
    expect(last?.apiKey).toBeUndefined()
    expect(last?.body.stream).toBe(false)
  })

  it('throws APIError with the status on an error answer', async () => {
    const bad = createClient({ apiKey: 'sk-other', baseUrl: goapi.baseUrl })
    const error = await chatCompletion(bad, {
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'hi' }],
    }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(APIError)
    expect((error as APIError).status).toBe(401)
  })
})

describe('streamChatCompletion', () => {
  it('yields every typed chunk of the event stream and ends at [DONE]', async () => {
    const stream = streamChatCompletion(goapi, {
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'A haiku about the sea' }],
    })
    expectTypeOf(stream).toMatchTypeOf<AsyncIterable<LlmChatCompletionChunk>>()
    const chunks: LlmChatCompletionChunk[] = []
    for await (const c of stream) chunks.push(c)
    expect(chunks).toHaveLength(WORDS.length + 2)
    expect(chunks.every((c) => c.object === 'chat.completion.chunk')).toBe(true)
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe('stop')
    expect(seen.at(-1)?.body.stream).toBe(true)
    expect(seen.at(-1)?.authorization).toBe(`Bearer ${KEY}`)
  })

  it('collectChatText joins the deltas', async () => {
    const text = await collectChatText(
      streamChatCompletion(goapi, { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'again' }] }),
    )
    expect(text).toBe(WORDS.join(''))
  })

  it('closes the connection when the consumer stops early', async () => {
    const before = closedEarly
    for await (const c of streamChatCompletion(goapi, {
      model: 'gpt-4o-mini',
      max_tokens: 1,
      messages: [{ role: 'user', content: 'stop early' }],
    })) {
      if (c.choices[0]?.delta?.content === WORDS[1]) break
    }
    await expect.poll(() => closedEarly).toBe(before + 1)
  })

  it('rejects an error answer before yielding', async () => {
    const bad = createClient({ apiKey: 'sk-other', baseUrl: goapi.baseUrl })
    await expect(
      collectChatText(streamChatCompletion(bad, { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] })),
    ).rejects.toBeInstanceOf(APIError)
  })
})

describe('sseData', () => {
  it('joins multi-line data and keeps the last event without a trailing blank line', async () => {
    const body = new Response('event: x\ndata: a\ndata: b\n\nid: 3\ndata:c').body
    const out: string[] = []
    for await (const d of sseData(body as ReadableStream<Uint8Array>)) out.push(d)
    expect(out).toEqual(['a\nb', 'c'])
  })
})

describe('createEmbeddings', () => {
  it('returns the typed vectors', async () => {
    const list = await createEmbeddings(goapi, { model: 'text-embedding-3-small', input: 'hello' })
    expect(list.data?.[0]?.embedding).toEqual([0.1, -0.2])
    expect(seen.at(-1)?.url).toBe('/v1/embeddings')
  })
})

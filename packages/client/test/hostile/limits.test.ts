// Findings 2 (client side) and 8: pathological answers. A 600 MB answer, a huge Content-Length, a
// 100k-deep JSON body, an endless server-sent event: each must end in a typed error, with reading
// stopped at the cap (the server sees the client hang up long before it could send it all), and
// creates keep TaskCreationUnknownError. Memory stays bounded because the read stops: asserted by
// the typed error arriving at all (buffering 600 MB into a string fails with a raw RangeError).
import { gzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import {
  APIError,
  DEFAULT_MAX_BINARY_BYTES,
  DEFAULT_MAX_RESPONSE_BYTES,
  InternalServerError,
  ResponseTooLargeError,
  TaskCreationUnknownError,
  createClient,
  defineOperation,
  waitForTask,
} from '../../src/index.js'
import { redact } from '../../src/internal/redact.js'
import { deepJson, json, pump, servedPerTest, task, type Hostile } from './servers.js'

const KEY = 'sk-limits-canary'
const MB = 1024 * 1024
const serve = servedPerTest()
const create = { model: 'Qubico/flux1-schnell', task_type: 'txt2img', input: { prompt: 'a bear' } } as const
const speech = defineOperation('post', '/v1/audio/speech', { auth: 'bearer', bodyType: 'json', response: 'binary' })
const chat = defineOperation('post', '/v1/chat/completions', { auth: 'bearer', bodyType: 'json', response: 'stream' })
const speechBody = { model: 'tts-1', input: 'hi', voice: 'alloy' } as never

describe('a 600 MB answer', () => {
  it('to a read is a ResponseTooLargeError, and reading stopped at the cap', async () => {
    const server: Hostile = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' })
      return pump(server, res, 600 * MB, '{"code":200,"data":{"task_id":"')
    })
    const error = await createClient({ apiKey: KEY, baseUrl: server.url })
      .getTask('abc')
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ResponseTooLargeError)
    expect((error as ResponseTooLargeError).limit).toBe('bytes')
    expect((error as ResponseTooLargeError).max).toBe(DEFAULT_MAX_RESPONSE_BYTES)
    expect(server.hits).toHaveLength(1) // not retried: it would not change
    await expect.poll(() => server.written.length).toBe(1)
    expect(server.written[0]).toBeLessThan(200 * MB)
  })

  it('to a create is TaskCreationUnknownError (sent once), with the guidance', async () => {
    const server: Hostile = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' })
      return pump(server, res, 600 * MB)
    })
    const error = await createClient({ apiKey: KEY, baseUrl: server.url })
      .createTask(create)
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TaskCreationUnknownError)
    expect((error as TaskCreationUnknownError).reason).toBe('invalid-response')
    expect((error as Error).message).toMatch(/listTaskHistory/)
    expect((error as Error).cause).toBeInstanceOf(ResponseTooLargeError)
    expect(server.hits).toHaveLength(1)
  })

  it('as an error page is a ResponseTooLargeError too', async () => {
    const server: Hostile = await serve((_req, res) => {
      res.writeHead(500, { 'content-type': 'text/html' })
      return pump(server, res, 600 * MB)
    })
    const error = await createClient({ apiKey: KEY, baseUrl: server.url, maxRetries: 0 })
      .getTask('abc')
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ResponseTooLargeError)
    expect((error as ResponseTooLargeError).status).toBe(500)
  })

  it('follows maxResponseBytes', async () => {
    const server: Hostile = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' })
      return pump(server, res, 10 * MB)
    })
    const error = await createClient({ apiKey: KEY, baseUrl: server.url, maxResponseBytes: MB })
      .getTask('abc')
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ResponseTooLargeError)
    expect((error as ResponseTooLargeError).max).toBe(MB)
  })
})

describe('a compressed answer (small Content-Length, large body)', () => {
  it('is capped on the decoded bytes', async () => {
    const bomb = gzipSync(Buffer.alloc(8 * MB, 0x20))
    const server = await serve((_req, res) => {
      res.writeHead(200, {
        'content-type': 'application/json',
        'content-encoding': 'gzip',
        'content-length': String(bomb.length),
      })
      res.end(bomb)
    })
    const error = await createClient({ apiKey: KEY, baseUrl: server.url, maxResponseBytes: MB })
      .getTask('abc')
      .catch((e: unknown) => e)
    expect(bomb.length).toBeLessThan(MB)
    expect(error).toBeInstanceOf(ResponseTooLargeError)
  })
})

describe('a Content-Length above the cap', () => {
  it('is rejected before the body is read', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(10 * 1024 * MB) })
      res.write('{"code":200,') // and then nothing: a client that waited for the body would hang
    })
    const error = await createClient({ apiKey: KEY, baseUrl: server.url })
      .getTask('abc')
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ResponseTooLargeError)
    expect((error as Error).message).toMatch(/Content-Length 10737418240/)
  })

  it('of a binary answer is rejected before the body is read', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'audio/mpeg', 'content-length': String(DEFAULT_MAX_BINARY_BYTES + 1) })
      res.write('ID3')
    })
    const goapi = createClient({ apiKey: KEY, baseUrl: server.url })
    await expect(speech(goapi, speechBody)).rejects.toBeInstanceOf(ResponseTooLargeError)
    await expect(speech.stream(goapi, speechBody)).rejects.toBeInstanceOf(ResponseTooLargeError)
  })
})

describe('binary answers (createSpeech, GPTs files)', () => {
  it('a Blob is capped at maxBytes (default 100 MiB) while streaming', async () => {
    const server: Hostile = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'audio/mpeg' })
      return pump(server, res, 600 * MB)
    })
    const goapi = createClient({ apiKey: KEY, baseUrl: server.url })
    const error = await speech(goapi, speechBody).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ResponseTooLargeError)
    expect((error as ResponseTooLargeError).max).toBe(DEFAULT_MAX_BINARY_BYTES)
    await expect.poll(() => server.written.length).toBe(1)
    expect(server.written[0]).toBeLessThan(300 * MB)

    const small = await speech(goapi, speechBody, { maxBytes: MB }).catch((e: unknown) => e)
    expect(small).toBeInstanceOf(ResponseTooLargeError)
    expect((small as ResponseTooLargeError).max).toBe(MB)
  })

  it('a Blob under the cap arrives whole, typed', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'audio/mpeg' })
      res.end(Buffer.alloc(200_000, 7))
    })
    const blob = await speech(createClient({ apiKey: KEY, baseUrl: server.url }), speechBody, { maxBytes: 200_000 })
    expect(blob.size).toBe(200_000)
    expect(blob.type).toBe('audio/mpeg')
  })

  it('.stream() yields the bytes and errors with ResponseTooLargeError past maxBytes', async () => {
    const server: Hostile = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'audio/mpeg' })
      return pump(server, res, 600 * MB)
    })
    const goapi = createClient({ apiKey: KEY, baseUrl: server.url })
    const stream = await speech.stream(goapi, speechBody, { maxBytes: 4 * MB })
    let received = 0
    const reader = stream.getReader()
    const error = await (async () => {
      for (let next = await reader.read(); !next.done; next = await reader.read()) received += next.value.byteLength
    })().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ResponseTooLargeError)
    expect(received).toBeLessThanOrEqual(4 * MB)
    expect(received).toBeGreaterThan(0)
  })

  it('.stream() of a small answer is the whole answer', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'audio/mpeg' })
      res.end(Buffer.alloc(70_000, 1))
    })
    const stream = await speech.stream(createClient({ apiKey: KEY, baseUrl: server.url }), speechBody)
    expect((await new Response(stream).arrayBuffer()).byteLength).toBe(70_000)
  })

  it('a server-sent event that never ends is cut at the cap', async () => {
    const server: Hostile = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      return pump(server, res, 600 * MB, 'data: {"a":"')
    })
    const goapi = createClient({ apiKey: KEY, baseUrl: server.url, maxResponseBytes: 2 * MB })
    const events = await chat(goapi, { model: 'gpt-4o-mini', messages: [], stream: true } as never)
    const error = await (async () => {
      for await (const _ of events) void _
    })().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ResponseTooLargeError)
  })
})

describe('a 100k-deep JSON body', () => {
  const deep = deepJson(100_000)

  it('as an error body is a typed error, not a stack overflow', async () => {
    const server = await serve((_req, res) => json(res, 400, `{"code":400,"message":"bad","data":${deep}}`))
    const error = await createClient({ apiKey: KEY, baseUrl: server.url })
      .getTask('abc')
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ResponseTooLargeError)
    expect((error as ResponseTooLargeError).limit).toBe('depth')
    expect(() => JSON.stringify(error)).not.toThrow()
  })

  it('as a task answer is a typed error', async () => {
    const server = await serve((_req, res) =>
      json(res, 200, `{"code":200,"data":${JSON.stringify(task('a')).replace('"meta":{}', `"meta":${deep}`)}}`),
    )
    await expect(createClient({ apiKey: KEY, baseUrl: server.url }).getTask('a')).rejects.toBeInstanceOf(
      ResponseTooLargeError,
    )
  })

  it('as the answer to a create keeps TaskCreationUnknownError', async () => {
    const server = await serve((_req, res) => json(res, 200, `{"code":200,"data":{"task_id":"a","x":${deep}}}`))
    const error = await createClient({ apiKey: KEY, baseUrl: server.url })
      .createTask(create)
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TaskCreationUnknownError)
    expect((error as Error).cause).toBeInstanceOf(ResponseTooLargeError)
    expect(server.hits).toHaveLength(1)
  })

  it('in a polled output ends wait() with the typed error', async () => {
    const server = await serve((_req, res) =>
      json(
        res,
        200,
        `{"code":200,"data":${JSON.stringify(task('a', 'processing')).replace('"output":null', `"output":${deep}`)}}`,
      ),
    )
    const error = await createClient({ apiKey: KEY, baseUrl: server.url })
      .wait('a', { poll: { initialDelayMs: 1 } })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ResponseTooLargeError)
  })

  it("in a route function's answer is a typed error", async () => {
    const server = await serve((_req, res) => json(res, 200, `{"code":200,"data":${deep}}`))
    const account = defineOperation('get', '/account/info', { auth: 'apiKey', bodyType: 'none', response: 'json' })
    await expect(account(createClient({ apiKey: KEY, baseUrl: server.url }))).rejects.toBeInstanceOf(
      ResponseTooLargeError,
    )
  })

  it('is redacted and fingerprinted without recursion', async () => {
    const value = JSON.parse(`{"k":${deep},"${KEY}":"${KEY}"}`) as Record<string, unknown>
    const scrubbed = redact(value, KEY)
    expect(Object.keys(scrubbed)).toEqual(['k', '[redacted]'])
    let outputs = 0
    const done = await waitForTask(
      {
        get: async () => task('a', ++outputs > 2 ? 'completed' : 'processing', { output: JSON.parse(deep) }) as never,
        cancel: async () => undefined,
      },
      'a',
      { poll: { initialDelayMs: 1 } },
    )
    expect(done.status).toBe('completed')
  })
})

describe('a body that is not JSON', () => {
  it('an endless event stream where JSON was expected is an APIError, not read', async () => {
    const server: Hostile = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      return pump(server, res, 600 * MB)
    })
    const account = defineOperation('get', '/account/info', { auth: 'apiKey', bodyType: 'none', response: 'json' })
    const error = await account(createClient({ apiKey: KEY, baseUrl: server.url })).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(APIError)
    expect((error as Error).message).toMatch(/event stream where JSON was expected/)
  })

  it('stays InternalServerError for reads (unchanged)', async () => {
    const server = await serve((_req, res) => json(res, 200, 'not json'))
    await expect(createClient({ apiKey: KEY, baseUrl: server.url, maxRetries: 0 }).getTask('a')).rejects.toBeInstanceOf(
      InternalServerError,
    )
  })
})

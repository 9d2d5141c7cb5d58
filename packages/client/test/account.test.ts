// Account, history and upload calls against a small local server that records what it receives.
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  rawClient,
  APIError,
  AuthenticationError,
  ConfigurationError,
  PermissionDeniedError,
  bearerAuth,
  createClient,
  getAccountInfo,
  listActiveTasks,
  listTaskHistory,
  uploadFile,
  type GoApiClient,
} from '../src/index.js'

const KEY = 'sk-account-test-42'
interface Seen {
  method: string
  url: string
  apiKey: string | undefined
  authorization: string | undefined
  body: string
}
const seen: Seen[] = []
let server: Server
let base: string
let goapi: GoApiClient

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const c of req) chunks.push(c as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

beforeAll(async () => {
  server = createServer(async (req, res) => {
    const body = await readBody(req)
    seen.push({
      method: req.method ?? '',
      url: req.url ?? '',
      apiKey: req.headers['x-api-key'] as string | undefined,
      authorization: req.headers.authorization,
      body,
    })
    const json = (status: number, value: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' })
      res.end(JSON.stringify(value))
    }
    if (req.headers['x-api-key'] !== KEY && req.headers.authorization !== `Bearer ${KEY}`)
      return json(401, { code: 401, message: `bad key ${String(req.headers['x-api-key'])}` })
    const url = new URL(req.url ?? '/', 'http://x')
    if (url.pathname === '/account/info')
      return json(200, {
        code: 200,
        data: { id: 12345, name: 'acme', plan: 'creator', equivalent_in_usd: 42.37 },
        message: 'success',
      })
    if (url.pathname === '/account/active_tasks')
      return json(200, {
        code: 200,
        data: {
          kling: {
            active_tasks: [{ task_id: 't1', status: 'processing' }],
            pending_count: 0,
            processing_count: 1,
            staged_count: 0,
          },
          midjourney: {},
        },
        message: 'success',
      })
    if (url.pathname === '/api/open/tasks/histories' && url.searchParams.get('model') === 'no-data')
      return json(200, { code: 200, message: `no history for ${String(req.headers['x-api-key'])}` })
    if (url.pathname === '/api/open/tasks/histories')
      return json(200, {
        code: 200,
        data: {
          data: [],
          page: Number(url.searchParams.get('page') ?? 1),
          size: Number(url.searchParams.get('page_size') ?? 10),
          total: 0,
        },
        message: 'success',
      })
    if (url.pathname === '/upload/api/ephemeral_resource') {
      const { file_name } = JSON.parse(body) as { file_name: string }
      if (file_name === 'blocked.png') return json(403, { code: 403, message: 'Insufficient plan level' })
      return json(200, {
        code: 200,
        data: { url: `https://storage.example/ephemeral/${file_name}` },
        message: 'success',
      })
    }
    if (url.pathname === '/echo') return json(200, { code: 200, data: {}, message: 'success' })
    json(404, { code: 404, message: 'not found' })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  goapi = createClient({ apiKey: KEY, baseUrl: base })
})
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

describe('account calls', () => {
  it('getAccountInfo returns the envelope data, sent with x-api-key', async () => {
    const info = await getAccountInfo(goapi)
    expect(info.equivalent_in_usd).toBe(42.37)
    expect(info.name).toBe('acme')
    const last = seen.at(-1)
    expect(last?.method).toBe('GET')
    expect(last?.apiKey).toBe(KEY)
  })

  it('listActiveTasks returns the groups per family', async () => {
    const groups = await listActiveTasks(goapi)
    expect(groups.kling?.processing_count).toBe(1)
    expect(groups.kling?.active_tasks?.[0]?.task_id).toBe('t1')
  })

  it('listTaskHistory sends the query', async () => {
    const page = await listTaskHistory(goapi, { page: 2, page_size: 50, model: 'mj', start_time: 1735689600 })
    expect(page.page).toBe(2)
    expect(page.size).toBe(50)
    const url = new URL(seen.at(-1)?.url ?? '', base)
    expect(Object.fromEntries(url.searchParams)).toEqual({
      page: '2',
      page_size: '50',
      model: 'mj',
      start_time: '1735689600',
    })
  })

  it('uploadFile posts base64 to the upload host and returns the URL', async () => {
    const bytes = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3])
    const file = await uploadFile(
      goapi,
      { file_name: 'hello.png', file_data: bytes },
      { uploadBaseUrl: `${base}/upload/` },
    )
    expect(file.url).toBe('https://storage.example/ephemeral/hello.png')
    const last = seen.at(-1)
    expect(last?.url).toBe('/upload/api/ephemeral_resource')
    expect(JSON.parse(last?.body ?? '{}')).toEqual({
      file_name: 'hello.png',
      file_data: Buffer.from(bytes).toString('base64'),
    })
  })

  it('maps error answers to typed errors without leaking the key', async () => {
    await expect(
      uploadFile(goapi, { file_name: 'blocked.png', file_data: 'AAAA' }, { uploadBaseUrl: `${base}/upload` }),
    ).rejects.toBeInstanceOf(PermissionDeniedError)
    const bad = createClient({ apiKey: 'sk-wrong-key-9', baseUrl: base })
    const error = await getAccountInfo(bad).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(AuthenticationError)
    expect(JSON.stringify((error as AuthenticationError).body)).not.toContain('sk-wrong-key-9')
    expect((error as Error).message).not.toContain('sk-wrong-key-9')
  })

  it('rejects a success answer without data, scrubbing the key it echoes', async () => {
    const error = await listTaskHistory(goapi, { model: 'no-data' }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(APIError)
    expect((error as APIError).status).toBe(200)
    expect((error as APIError).message).toContain('without data')
    expect(JSON.stringify(error)).not.toContain(KEY)
    expect(JSON.stringify((error as APIError).body)).toContain('[redacted]')
  })
})

describe('bearerAuth', () => {
  it('moves the key from x-api-key to Authorization: Bearer for one request', async () => {
    const { response } = await rawClient(goapi).GET('/account/info', {
      baseUrl: `${base}/echo-base`,
      middleware: [bearerAuth],
    })
    expect(response.status).toBe(404)
    const last = seen.at(-1)
    expect(last?.authorization).toBe(`Bearer ${KEY}`)
    expect(last?.apiKey).toBeUndefined()
    await getAccountInfo(goapi)
    expect(seen.at(-1)?.apiKey).toBe(KEY)
    expect(seen.at(-1)?.authorization).toBeUndefined()
  })
})

describe('rawClient', () => {
  it('is built once per client, and its middleware runs for route functions too', async () => {
    const own = createClient({ apiKey: KEY, baseUrl: base })
    const raw = rawClient(own)
    expect(rawClient(own)).toBe(raw)
    expect(rawClient(goapi)).not.toBe(raw)
    const paths: string[] = []
    raw.use({
      onRequest({ request }) {
        paths.push(new URL(request.url).pathname)
        return undefined
      },
    })
    await getAccountInfo(own)
    expect(paths).toEqual(['/account/info'])
    expect(seen.at(-1)?.apiKey).toBe(KEY)
  })

  it('refuses a client that createClient did not make', () => {
    expect(() => rawClient({ ...goapi })).toThrow(ConfigurationError)
  })
})

// The canned server: fixed GoAPI envelopes for create-task and get-task, nothing validated, nothing
// simulated beyond "completed `completeAfterMs` after creation". It is what the overhead and scale
// measures talk to (in its own process, see workers/canned-server.ts), so what they time is the
// client, not a server doing work on the client's behalf. The same answers, served in memory, feed
// the in-memory overhead side and the simulated-time polling measure.
import type { IncomingMessage, ServerResponse } from 'node:http'

export const CANNED_KEY = 'bench-key'

interface Entry {
  model: string
  taskType: string
  input: unknown
  createdAt: number
}

export interface CannedAnswer {
  status: number
  body: string
}

const ZERO_TIME = '0001-01-01T00:00:00Z'
const iso = (ms: number) => new Date(ms).toISOString()

/** Tasks created on the canned server: answers are plain JSON strings, as GoAPI sends them. */
export class CannedTasks {
  readonly #tasks = new Map<string, Entry>()
  #seq = 0

  /**
   * @param completeAfterMs how long after its creation a task reads as completed (0: at once)
   * @param now the server's clock, epoch ms (simulated time in the polling measure)
   */
  constructor(
    readonly completeAfterMs: number,
    readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.#tasks.size
  }

  /** POST /api/v1/task with this JSON body. */
  create(body: string): CannedAnswer {
    let request: { model?: unknown; task_type?: unknown; input?: unknown }
    try {
      request = JSON.parse(body) as typeof request
    } catch {
      return error(400, 'invalid JSON body')
    }
    if (typeof request.model !== 'string' || typeof request.task_type !== 'string')
      return error(400, 'model and task_type are required')
    const id = taskId(++this.#seq)
    const entry: Entry = {
      model: request.model,
      taskType: request.task_type,
      input: request.input ?? {},
      createdAt: this.now(),
    }
    this.#tasks.set(id, entry)
    return { status: 200, body: envelope(id, entry, this.now(), this.completeAfterMs) }
  }

  /** GET /api/v1/task/{id}. */
  get(id: string): CannedAnswer {
    const entry = this.#tasks.get(id)
    if (!entry) return error(404, 'task not found')
    return { status: 200, body: envelope(id, entry, this.now(), this.completeAfterMs) }
  }

  /** Routes one request; `undefined` for anything but the two task routes. */
  answer(method: string, pathname: string, body: string): CannedAnswer | undefined {
    if (method === 'POST' && pathname === '/api/v1/task') return this.create(body)
    const m = /^\/api\/v1\/task\/([^/]+)$/.exec(pathname)
    if (method === 'GET' && m?.[1]) return this.get(decodeURIComponent(m[1]))
    return undefined
  }
}

/** A UUID-shaped id, like GoAPI's. */
function taskId(n: number): string {
  const hex = n.toString(16).padStart(12, '0')
  return `0b5e5c1a-6f3d-4c2e-9a7b-${hex}`
}

function error(status: number, message: string): CannedAnswer {
  return { status, body: JSON.stringify({ code: status, message, data: null }) }
}

function envelope(id: string, t: Entry, now: number, completeAfterMs: number): string {
  const age = now - t.createdAt
  const done = age >= completeAfterMs
  const status = done ? 'completed' : age >= completeAfterMs / 10 ? 'processing' : 'pending'
  return JSON.stringify({
    code: 200,
    message: 'success',
    data: {
      task_id: id,
      model: t.model,
      task_type: t.taskType,
      status,
      config: { service_mode: 'public', webhook_config: { endpoint: '', secret: '' } },
      input: t.input,
      output: done
        ? {
            image_url: `https://img.theapi.app/temp/${id}.png`,
            image_urls: [`https://img.theapi.app/temp/${id}.png`],
            video_url: `https://storage.theapi.app/videos/${id}.mp4`,
          }
        : null,
      meta: {
        created_at: iso(t.createdAt),
        started_at: status === 'pending' ? ZERO_TIME : iso(t.createdAt + completeAfterMs / 10),
        ended_at: done ? iso(t.createdAt + completeAfterMs) : ZERO_TIME,
        usage: { type: 'point', frozen: 0, consume: done ? 150_000 : 0 },
        is_using_private_pool: false,
      },
      detail: null,
      logs: [],
      error: { code: 0, raw_message: '', message: '', detail: null },
    },
  })
}

/** The node:http handler of the canned server process. */
export function cannedHandler(tasks: CannedTasks): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const answer =
        req.headers['x-api-key'] !== CANNED_KEY
          ? error(401, 'invalid api key')
          : (tasks.answer(
              req.method ?? 'GET',
              (req.url ?? '/').split('?')[0] ?? '/',
              Buffer.concat(chunks).toString(),
            ) ?? error(404, 'no such route'))
      res.writeHead(answer.status, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(answer.body),
      })
      res.end(answer.body)
    })
  }
}

/**
 * The text of a request's body, however the caller passed it, without consuming what will be sent
 * (a Request is cloned; a stream body is not read and counts as empty).
 */
export async function bodyText(input: RequestInfo | URL, init?: RequestInit): Promise<string> {
  if (input instanceof Request) return input.clone().text()
  const body = init?.body
  if (body === undefined || body === null || body instanceof ReadableStream) return ''
  return typeof body === 'string' ? body : new Response(body).text()
}

/** The same answers without a network: a `fetch` that never leaves the process. */
export function cannedFetch(tasks: CannedTasks): typeof fetch {
  return async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = input instanceof Request ? input : undefined
    const method = (request?.method ?? init?.method ?? 'GET').toUpperCase()
    const url = new URL(request?.url ?? String(input))
    const body = await bodyText(input, init)
    const answer = tasks.answer(method, url.pathname, body) ?? error(404, 'no such route')
    return new Response(answer.body, { status: answer.status, headers: { 'content-type': 'application/json' } })
  }
}

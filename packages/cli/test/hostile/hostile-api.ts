// A GoAPI-shaped hostile server on 127.0.0.1 for the CLI tests: it answers the task, cancel and
// account routes with whatever the test scripts (a hostile task id, escape sequences, the caller's
// key echoed back) and serves the files the tasks name, recording every request.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export type Route = (req: IncomingMessage, res: ServerResponse) => void

export interface Ctx {
  /** The origin files are served from (the server itself, as `http://127.0.0.1:port`). */
  origin: string
  /** The `x-api-key` the request carried. */
  key: string
  /** The task id in the request path (get, cancel). */
  id: string | undefined
}

export interface Script {
  /** The task every create and get answers with. */
  task(ctx: Ctx): Record<string, unknown>
  /** `GET /account/info` data. */
  account?(ctx: Ctx): Record<string, unknown>
  /** Any other answer, keyed by `METHOD /path` (e.g. a cancel that fails). */
  routes?: Record<string, (ctx: Ctx, req: IncomingMessage, res: ServerResponse) => void>
  /** Files, keyed by path (`/files/a.png`). */
  files?: Record<string, Route>
}

export interface HostileApi {
  url: string
  port: number
  requests: Array<{ method: string; path: string; headers: IncomingMessage['headers'] }>
  close(): Promise<void>
}

export const envelope = (data: unknown) => JSON.stringify({ code: 200, message: 'success', data })

export async function startHostileApi(script: Script): Promise<HostileApi> {
  const requests: HostileApi['requests'] = []
  let origin = ''
  const server = createServer((req, res) => {
    req.resume()
    req.on('end', () => {
      const path = (req.url ?? '').split('?')[0] ?? ''
      requests.push({ method: req.method ?? '', path, headers: req.headers })
      const header = req.headers['x-api-key']
      const key = (Array.isArray(header) ? header[0] : header) ?? ''
      const taskPath = /^\/api\/v1\/task\/(.+)$/.exec(path)
      const ctx: Ctx = { origin, key, id: taskPath ? decodeURIComponent(taskPath[1] as string) : undefined }
      const json = (body: string, status = 200) => {
        res.writeHead(status, { 'content-type': 'application/json' })
        res.end(body)
      }
      const custom =
        script.routes?.[`${req.method} ${path}`] ??
        (taskPath ? script.routes?.[`${req.method} /api/v1/task/:id`] : undefined)
      if (custom) return custom(ctx, req, res)
      const file = script.files?.[path]
      if (file) return file(req, res)
      if (req.method === 'POST' && path === '/api/v1/task') return json(envelope(script.task(ctx)))
      if (req.method === 'GET' && taskPath) return json(envelope(script.task(ctx)))
      if (req.method === 'DELETE' && taskPath) return json(envelope({ task_id: ctx.id }))
      if (req.method === 'DELETE' && path === '/api/v1/tasks') return json(envelope({ canceled: 1 }))
      if (req.method === 'GET' && path === '/account/info')
        return json(envelope(script.account?.(ctx) ?? { name: 'team', wallet: { point_remain: 1 } }))
      if (req.method === 'GET' && path === '/account/active_tasks') return json(envelope({}))
      json(JSON.stringify({ code: 404, message: 'not found', data: null }), 404)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  origin = `http://127.0.0.1:${port}`
  return {
    url: origin,
    port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** A completed task with one image, `id` as its task id. */
export function completedTask(
  id: string,
  origin: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    task_id: id,
    model: 'Qubico/flux1-schnell',
    task_type: 'txt2img',
    status: 'completed',
    input: { prompt: 'x' },
    output: { image_url: `${origin}/files/a.png` },
    meta: { usage: { consume: 1 } },
    error: { code: 0, message: '' },
    ...extra,
  }
}

export const png: Route = (_req, res) => {
  res.writeHead(200, { 'content-type': 'image/png', 'content-length': '7' })
  res.end('PNGDATA')
}

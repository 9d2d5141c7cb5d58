// Maps a request to its route and answers it.
import type { IncomingMessage } from 'node:http'
import { accountInfo, activeTasks, history } from './account-views.js'
import { authenticate, type MockContext } from './context.js'
import type { Fault } from './faults.js'
import { CONTENT_TYPES, renderFile, type FileKind } from './files/index.js'
import { HttpError, json, ok, readJson, type Reply } from './http.js'
import { taskData } from './render.js'
import { cancelTask, cancelTasks, createTask, findTask } from './tasks.js'

/** Maps a path to its route pattern (`GET /api/v1/task/:id`) and captured parameters. */
export function routeOf(method: string, path: string): { route: string; params: string[] } {
  let m: RegExpExecArray | null
  if ((m = /^\/files\/([^/]+)\/(\d+\.(?:png|wav|mp4|glb|txt))$/.exec(path)))
    return { route: `${method} /files/:task/:file`, params: [m[1] ?? '', m[2] ?? ''] }
  if ((m = /^\/api\/v1\/task\/([^/]+)$/.exec(path)))
    return { route: `${method} /api/v1/task/:id`, params: [decodeURIComponent(m[1] ?? '')] }
  return { route: `${method} ${path}`, params: [] }
}

export async function handle(
  ctx: MockContext,
  req: IncomingMessage,
  route: string,
  params: string[],
  url: URL,
  fault: Fault | undefined,
): Promise<Reply> {
  const method = req.method ?? 'GET'
  const now = Date.now()
  switch (route) {
    case 'GET /files/:task/:file': {
      const task = ctx.state.get(params[0] ?? '')
      const name = params[1] ?? ''
      if (!task) throw new HttpError(404, 'file not found')
      const kind = name.slice(name.indexOf('.') + 1) as FileKind
      const bytes = renderFile(
        kind,
        `${task.model}|${task.taskType}|${JSON.stringify(task.input)}|${name.slice(0, name.indexOf('.'))}`,
      )
      return { status: 200, headers: { 'content-type': CONTENT_TYPES[kind] }, body: bytes }
    }
    case 'POST /api/v1/task': {
      const apiKey = authenticate(ctx, req)
      const task = createTask(ctx, await readJson(req, ctx.limit), apiKey, fault)
      return ok(taskData(ctx.spec, ctx.baseUrl(), task, Date.now()))
    }
    case 'GET /api/v1/task/:id':
      return ok(taskData(ctx.spec, ctx.baseUrl(), findTask(ctx, params[0] ?? '', authenticate(ctx, req)), now))
    case 'DELETE /api/v1/task/:id': {
      const task = findTask(ctx, params[0] ?? '', authenticate(ctx, req))
      cancelTask(ctx, task)
      return json(200, { code: 200, message: `task ${task.id} canceled` })
    }
    case 'DELETE /api/v1/tasks':
      return ok(cancelTasks(ctx, authenticate(ctx, req), url.searchParams))
    case 'GET /account/info':
      return ok(accountInfo(ctx.accounts.of(authenticate(ctx, req)), now))
    case 'GET /account/active_tasks':
      return ok(activeTasks(ctx.accounts.of(authenticate(ctx, req)), now))
    case 'GET /api/open/tasks/histories': {
      const apiKey = authenticate(ctx, req)
      return ok(history(ctx, url.searchParams, apiKey, ctx.accounts.of(apiKey), now))
    }
  }
  if (route.endsWith(' /api/v1/task/:id') || (route.endsWith(' /api/v1/task') && method !== 'POST'))
    throw new HttpError(405, `method ${method} not allowed`)
  throw new HttpError(404, `no route ${method} ${url.pathname}`)
}

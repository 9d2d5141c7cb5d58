// Maps a request to the operation of the spec that serves it, checks the key, reads and validates
// the request as the operation declares it, and answers: the operations that read or change the
// simulator's state (tasks, accounts) by their `operationId`, every other one from the spec alone
// (`answers.ts`). The files the answers point at are served under `/files/`.
import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http'
import { accountInfo, activeTasks, history } from './account-views.js'
import { answer } from './answers.js'
import { authenticate, type MockContext } from './context.js'
import type { Fault } from './faults.js'
import { CONTENT_TYPES, renderFile, type FileKind } from './files/index.js'
import { fieldError, HttpError, json, ok, type Reply } from './http.js'
import { decodePart, matchOperation, type Operation } from './operations.js'
import { taskData } from './render.js'
import { readRequest, validateBody } from './request.js'
import type { FieldError } from './spec.js'
import { cancelTask, cancelTasks, createTask, findTask } from './tasks.js'

/** One request, read and checked, as a stateful handler gets it. */
interface Call {
  op: Operation
  params: Record<string, string>
  query: URLSearchParams
  body: unknown
  /** Bytes of the body as received. */
  size: number
  apiKey: string
  fault: Fault | undefined
  /** Headers to add to the answer (unknown keys). */
  headers: OutgoingHttpHeaders
}

interface Stateful {
  run(ctx: MockContext, call: Call): Reply
  /** The handler validates the body itself (creates: by the (model, task_type) pair's own schema). */
  validatesBody?: true
}

const now = () => Date.now()

/** The operations answered from the simulator's state, by operationId. */
const STATEFUL: Record<string, Stateful> = {
  createTask: {
    validatesBody: true,
    run(ctx, call) {
      const { task, unknown } = createTask(ctx, call.body, call.apiKey, call.fault, call.size)
      return ok(taskData(ctx.spec, ctx.baseUrl(), task, now()), reportUnknown(ctx, call.op, unknown))
    },
  },
  getTask: {
    run: (ctx, call) =>
      ok(taskData(ctx.spec, ctx.baseUrl(), findTask(ctx, call.params.task_id ?? '', call.apiKey), now())),
  },
  cancelTask: {
    run(ctx, call) {
      const task = findTask(ctx, call.params.task_id ?? '', call.apiKey)
      cancelTask(ctx, task)
      return json(200, { code: 200, message: `task ${task.id} canceled` })
    },
  },
  cancelTasks: { run: (ctx, call) => ok(cancelTasks(ctx, call.apiKey, call.query)) },
  accountGetInfo: { run: (ctx, call) => ok(accountInfo(ctx.accounts.of(call.apiKey), now())) },
  accountListActiveTasks: { run: (ctx, call) => ok(activeTasks(ctx.accounts.of(call.apiKey), now())) },
  accountListTaskHistory: {
    run: (ctx, call) => ok(history(ctx, call.query, call.apiKey, ctx.accounts.of(call.apiKey), now())),
  },
}

/** The header naming the request's unknown keys (`input.foo,input.bar`), and a log line. */
export const UNKNOWN_KEYS_HEADER = 'x-goapi-mock-unknown-keys'

function reportUnknown(ctx: MockContext, op: Operation, unknown: string[]): OutgoingHttpHeaders {
  if (unknown.length === 0) return {}
  // Key names come from the request: percent-encode anything outside a plain field path.
  const value = unknown.map((k) => k.replace(/[^A-Za-z0-9_.\-[\]]/g, (c) => encodeURIComponent(c))).join(',')
  ctx.log(`${op.route}: unknown keys accepted: ${value}`)
  return { [UNKNOWN_KEYS_HEADER]: value.slice(0, 4000) }
}

/** Checks the query parameters the operation declares (required ones present, values of the right type). */
function checkQuery(ctx: MockContext, op: Operation, query: URLSearchParams): void {
  const errors: FieldError[] = []
  for (const p of op.parameters) {
    if (p.in !== 'query') continue
    const value = query.get(p.name)
    if (value === null) {
      if (p.required) errors.push({ path: p.name, message: 'is required' })
      continue
    }
    for (const e of ctx.spec.checkAt(p.schema, value, true)) errors.push({ path: p.name, message: e.message })
  }
  if (errors.length > 0) throw fieldError(errors)
}

const FILE_ROUTE = /^\/files\/([^/]+)\/(\d+)\.(png|wav|mp4|glb|txt)$/

/** A file an answer points at: a task's (seeded by its input) or a stateless answer's (`o-…`, seeded by its name). */
async function serveFile(ctx: MockContext, folder: string, n: string, kind: FileKind): Promise<Reply> {
  let seed: string
  if (folder.startsWith('o-')) seed = `${folder}|${n}`
  else {
    const task = ctx.state.get(folder)
    if (!task) throw new HttpError(404, 'file not found')
    seed = `${task.model}|${task.taskType}|${JSON.stringify(task.input)}|${n}`
  }
  return { status: 200, headers: { 'content-type': CONTENT_TYPES[kind] }, body: await renderFile(kind, seed) }
}

export interface Resolved {
  /** The route as faults name it (`GET /api/v1/task/:task_id`, `GET /files/:task/:file`). */
  route: string
  handle(fault: Fault | undefined): Promise<Reply>
}

/** Finds what serves a request; errors (404, 405, malformed path) surface when it is handled. */
export function resolve(ctx: MockContext, req: IncomingMessage, url: URL): Resolved {
  const method = req.method ?? 'GET'
  const path = url.pathname
  const file = FILE_ROUTE.exec(path)
  if (file)
    return {
      route: `${method} /files/:task/:file`,
      handle: async () => {
        if (method !== 'GET' && method !== 'HEAD') throw new HttpError(405, `method ${method} not allowed`)
        return serveFile(ctx, decodePart(file[1] ?? ''), file[2] ?? '0', (file[3] ?? 'png') as FileKind)
      },
    }
  let found: ReturnType<typeof matchOperation>
  try {
    found = matchOperation(ctx.operations, method, path)
  } catch (error) {
    return { route: `${method} ${path}`, handle: () => Promise.reject(error) }
  }
  const { match, methods } = found
  if (!match)
    return {
      route: `${method} ${path}`,
      handle: () =>
        Promise.reject(
          methods.length > 0
            ? new HttpError(405, `method ${method} not allowed`, undefined, { allow: methods.join(', ') })
            : new HttpError(404, `no route ${method} ${path}`),
        ),
    }
  const { op, params } = match
  return {
    route: op.route,
    async handle(fault) {
      const apiKey = op.auth ? authenticate(ctx, req) : ''
      checkQuery(ctx, op, url.searchParams)
      const { body, size } = await readRequest(req, op, ctx.limit)
      const stateful = STATEFUL[op.id]
      let headers: OutgoingHttpHeaders = {}
      if (op.body && !stateful?.validatesBody) {
        if (body === undefined && op.body.required)
          throw new HttpError(400, 'Invalid request parameters: the body is required')
        if (body !== undefined)
          headers = reportUnknown(
            ctx,
            op,
            validateBody(ctx.spec, op.body.schema, body, op.body.type !== 'application/json'),
          )
      }
      const call: Call = { op, params, query: url.searchParams, body, size, apiKey, fault, headers }
      if (stateful) {
        const reply = stateful.run(ctx, call)
        return { ...reply, headers: { ...headers, ...reply.headers } }
      }
      return answer(
        {
          op,
          body,
          params,
          seed: `${op.id}|${JSON.stringify(params)}|${JSON.stringify(body)}`,
          baseUrl: ctx.baseUrl(),
        },
        headers,
      )
    },
  }
}

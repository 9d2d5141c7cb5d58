// Finding 3: a hostile server echoes the caller's API key in every field it answers with (task id,
// model, error texts, output URLs and field names, account fields, error bodies, the HTTP reason
// phrase). Every CLI command of program.ts, in text and --json form, must print 0 copies of it.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { removeTempDirs, tempDir } from '../helpers.js'
import { envelope, png, startHostileApi, type Ctx, type HostileApi, type Script } from './hostile-api.js'
import { against, runCli } from './run-cli.js'

afterAll(removeTempDirs)

const CANARY = 'sk-canary-5f3a9c1e7b2d4e6f'

/** Every way the key might come back: raw, Bearer, inside a URL, in a sentence. */
const echoes = (key: string) => `${key} Bearer ${key} https://x.example/?k=${encodeURIComponent(key)} key=${key}`

function echoTask(ctx: Ctx, status: string): Record<string, unknown> {
  return {
    task_id: ctx.key,
    model: echoes(ctx.key),
    task_type: echoes(ctx.key),
    status,
    input: { prompt: echoes(ctx.key), api_key: ctx.key },
    output:
      status === 'failed'
        ? null
        : {
            [ctx.key]: `${ctx.origin}/files/a.png?token=${ctx.key}`,
            missing: `${ctx.origin}/files/missing/${ctx.key}.png`,
            note: echoes(ctx.key),
          },
    meta: { created_at: echoes(ctx.key), usage: { consume: 1 }, account: ctx.key },
    error: { code: 0, message: status === 'failed' ? echoes(ctx.key) : '', raw_message: echoes(ctx.key) },
    detail: { key: ctx.key },
  }
}

const echoAccount = (ctx: Ctx) => ({
  api_key: ctx.key,
  key: ctx.key,
  token: `Bearer ${ctx.key}`,
  name: echoes(ctx.key),
  account_name: ctx.key,
  id: ctx.key,
  plan: echoes(ctx.key),
  type: ctx.key,
  equivalent_in_usd: 1,
  wallet: { point_remain: 10, note: ctx.key },
  keys: [{ value: ctx.key }],
})

const files = {
  '/files/a.png': png,
}

const healthy: Script = {
  task: (ctx) => echoTask(ctx, 'completed'),
  account: echoAccount,
  routes: {
    'DELETE /api/v1/task/:id': (ctx, _req, res) => res.end(envelope({ task_id: ctx.key, message: echoes(ctx.key) })),
    'DELETE /api/v1/tasks': (ctx, _req, res) => res.end(envelope({ canceled: 1, message: echoes(ctx.key) })),
    'GET /account/active_tasks': (ctx, _req, res) =>
      res.end(envelope({ [ctx.key]: { active_tasks: [{ task_id: ctx.key, status: 'pending' }] } })),
  },
  files,
}

const failedTask: Script = { ...healthy, task: (ctx) => echoTask(ctx, 'failed') }

/**
 * Every route answers an HTTP error whose reason phrase and body carry the key. A wait keeps
 * polling through 5xx until its deadline, so with 5xx the task GET answers the (echoing) task.
 */
function failing(status: number): Script {
  const fail = (ctx: Ctx, _req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(status, `Denied ${ctx.key}`, { 'content-type': 'application/json', 'x-echo': ctx.key })
    res.end(
      JSON.stringify({
        code: status,
        message: echoes(ctx.key),
        data: {
          errors: [
            { path: ctx.key, message: echoes(ctx.key) },
            { path: 'b', message: ctx.key },
          ],
        },
      }),
    )
  }
  return {
    task: (ctx) => echoTask(ctx, 'completed'),
    routes: Object.fromEntries(
      [
        'POST /api/v1/task',
        ...(status < 500 ? ['GET /api/v1/task/:id'] : []),
        'DELETE /api/v1/task/:id',
        'DELETE /api/v1/tasks',
        'GET /account/info',
        'GET /account/active_tasks',
      ].map((r) => [r, fail]),
    ),
  }
}

// Every command in program.ts (and its --json form); `goapi mock` runs the local simulator and
// talks to no server with the key, so it is left out.
const COMMANDS: string[][] = [
  ['run', 'flux', 'txt2img', '-p', 'x'],
  ['run', 'flux', 'txt2img', '-p', 'x', '--json'],
  ['run', 'flux', 'txt2img', '-p', 'x', '--no-wait'],
  ['run', 'flux', 'txt2img', '-p', 'x', '--no-wait', '--json'],
  ['run', 'flux', 'txt2img', '-f', 'tasks.jsonl'],
  ['run', 'flux', 'txt2img', '-f', 'tasks.jsonl', '--json'],
  ['task', 'get', 'task-1'],
  ['task', 'get', 'task-1', '--json'],
  ['task', 'wait', 'task-1'],
  ['task', 'wait', 'task-1', '--json'],
  ['task', 'cancel', 'task-1'],
  ['task', 'cancel', 'task-1', '--json'],
  ['tasks', 'cancel', '--model', 'all'],
  ['tasks', 'cancel', '--model', 'all', '--json'],
  ['account'],
  ['account', '--json'],
  ['models'],
  ['models', 'flux', '--json'],
  ['--help'],
  ['--version'],
]

const copies = (text: string) =>
  text.split(CANARY).length -
  1 +
  (text.split(encodeURIComponent(CANARY)).length - 1) * Number(encodeURIComponent(CANARY) !== CANARY)

// Commands that talk to the server; the rest (models, --help, --version) are checked once.
const SERVER_COMMANDS = COMMANDS.filter((c) => !['models', '--help', '--version'].includes(c[0] as string))
// Commands that show a task's state or error.
const TASK_COMMANDS = SERVER_COMMANDS.filter((c) => c[0] === 'run' || (c[0] === 'task' && c[1] !== 'cancel'))

describe.each([
  ['a healthy server', healthy, COMMANDS],
  ['failed tasks', failedTask, TASK_COMMANDS],
  ['HTTP 401 answers', failing(401), SERVER_COMMANDS],
  ['HTTP 500 answers', failing(500), SERVER_COMMANDS],
])('0 copies of the key with %s echoing it', (_name, script, commands) => {
  let api: HostileApi
  beforeAll(async () => {
    api = await startHostileApi(script)
    return () => api.close()
  })

  it.each(commands.map((args) => [args.join(' '), args]))('goapi %s', async (_label, args) => {
    const cwd = tempDir()
    writeFileSync(join(cwd, 'tasks.jsonl'), '{"prompt":"a"}\n{"prompt":"b"}\n')
    const r = await runCli(args as string[], { cwd, env: against(api.url, CANARY) })
    expect(r.code, r.text).not.toBeNull()
    expect(copies(r.text), r.text).toBe(0)
  })
})

// Finding 6: server strings (task id, status, error text, field names, account fields, API error
// messages) are printed without the escape sequences and control characters in them. Each test
// runs the real CLI against a hostile server and inspects the raw bytes of stdout and stderr.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { removeTempDirs, tempDir } from '../helpers.js'
import { completedTask, envelope, png, startHostileApi, type Script } from './hostile-api.js'
import { against, runCli, type RawResult } from './run-cli.js'

afterAll(removeTempDirs)

const ESC = '\u001b'
// Window title (OSC 0), clipboard write (OSC 52), clear screen + home (CSI 2J, H), a C1 CSI, a
// forged line after a carriage return, and a bidi override.
const PAYLOAD =
  `${ESC}]0;PWNED-TITLE\u0007${ESC}]52;c;ZWNobyBwd25lZA==\u0007${ESC}[2J${ESC}[H\u009b31m` +
  `\rTask fake-id completed\nFiles    /etc/passwd\u202egnp.exe`

/** No byte a terminal would act on: ESC, BEL, CR, other C0 controls but LF, C1 controls, bidi overrides. */
function expectInert(r: RawResult): void {
  for (const [name, bytes] of [
    ['stdout', r.stdout],
    ['stderr', r.stderr],
  ] as const) {
    for (const byte of [0x1b, 0x07, 0x0d, 0x08, 0x00]) expect(bytes.indexOf(byte), `${name} has byte ${byte}`).toBe(-1)
    const text = bytes.toString('utf8')
    expect(text, name).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/)
    expect(text, name).not.toContain('PWNED-TITLE\u0007')
  }
  // The forged line never starts a line of its own.
  expect(r.text).not.toMatch(/^Task fake-id completed/m)
  expect(r.text).not.toMatch(/^Files {4}\/etc\/passwd/m)
}

async function against_(script: Script, args: string[], extraFiles: Record<string, string> = {}) {
  const server = await startHostileApi(script)
  const cwd = tempDir()
  for (const [name, text] of Object.entries(extraFiles)) writeFileSync(join(cwd, name), text)
  try {
    return await runCli(args, { cwd, env: against(server.url) })
  } finally {
    await server.close()
  }
}

const hostileCompleted: Script = {
  task: (ctx) =>
    completedTask(PAYLOAD, ctx.origin, {
      model: PAYLOAD,
      task_type: PAYLOAD,
      output: { [`image${PAYLOAD}`]: `${ctx.origin}/files/a.png`, [`gone${PAYLOAD}`]: `${ctx.origin}/files/404` },
    }),
  files: { '/files/a.png': png },
}

const hostileFailed: Script = {
  task: (ctx) => ({
    ...completedTask(PAYLOAD, ctx.origin),
    status: 'failed',
    output: null,
    error: { code: 10000, message: PAYLOAD, raw_message: `raw ${PAYLOAD}` },
  }),
}

describe('escape sequences from the server never reach the terminal', () => {
  it('goapi run: summary, notes and per-file errors', async () => {
    const r = await against_(hostileCompleted, ['run', 'flux', 'txt2img', '-p', 'x'])
    expect(r.code).toBe(1) // one of the two files is a 404
    // The whole sequences are gone; the forged line stays inside the real one.
    expect(r.stdout.toString()).toMatch(/^Task {6}Task fake-id completed Files {4}\/etc\/passwdgnp\.exe \(/m)
    expectInert(r)
  })

  it('goapi run --no-wait: the id and the suggested command (quoted for the shell)', async () => {
    const r = await against_(hostileCompleted, ['run', 'flux', 'txt2img', '-p', 'x', '--no-wait'])
    expect(r.code).toBe(0)
    expect(r.stderr.toString()).toMatch(/Follow it with: goapi task wait '/)
    expectInert(r)
  })

  it('goapi run --json: valid JSON with every control character escaped', async () => {
    const r = await against_(hostileCompleted, ['run', 'flux', 'txt2img', '-p', 'x', '--json', '--no-download'])
    expect(r.code).toBe(0)
    expect((JSON.parse(r.stdout.toString()) as { task_id: string }).task_id).toBe(PAYLOAD)
    expectInert(r)
  })

  it('goapi run on a failed task: the error message and raw message', async () => {
    const r = await against_(hostileFailed, ['run', 'flux', 'txt2img', '-p', 'x'])
    expect(r.code).toBe(1)
    expect(r.stderr.toString()).toContain('failed:')
    expectInert(r)
  })

  it('goapi run batch: the table and the per-line notes', async () => {
    const r = await against_(hostileFailed, ['run', 'flux', 'txt2img', '-f', 'tasks.jsonl'], {
      'tasks.jsonl': '{"prompt":"a"}\n{"prompt":"b"}\n',
    })
    expect(r.code).toBe(1)
    expect(r.stdout.toString()).toContain('0/2 completed')
    expectInert(r)
  })

  it('goapi task get: status, error and output field names', async () => {
    const script: Script = {
      task: (ctx) => ({
        ...completedTask(PAYLOAD, ctx.origin),
        status: PAYLOAD,
        meta: { created_at: PAYLOAD },
        error: { code: 1, message: PAYLOAD },
        output: { [PAYLOAD]: `${ctx.origin}/files/${encodeURIComponent(PAYLOAD)}` },
      }),
    }
    const text = await against_(script, ['task', 'get', 'task-1'])
    expect(text.code).toBe(0)
    expectInert(text)
    const json = await against_(script, ['task', 'get', 'task-1', '--json'])
    expect(json.code).toBe(0)
    expectInert(json)
  })

  it('goapi task wait on a failed task', async () => {
    const r = await against_(hostileFailed, ['task', 'wait', 'task-1'])
    expect(r.code).toBe(1)
    expectInert(r)
  })

  it('goapi account: every field', async () => {
    const script: Script = {
      task: (ctx) => completedTask('t', ctx.origin),
      account: () => ({
        name: PAYLOAD,
        id: PAYLOAD,
        plan: PAYLOAD,
        type: PAYLOAD,
        equivalent_in_usd: PAYLOAD,
        max_concurrent_task_count: PAYLOAD,
        wallet: { point_remain: PAYLOAD, point_frozen: PAYLOAD, point_used: PAYLOAD },
      }),
    }
    const text = await against_(script, ['account'])
    expect(text.code).toBe(0)
    expectInert(text)
    const json = await against_(script, ['account', '--json'])
    expect(json.code).toBe(0)
    expectInert(json)
  })

  it('API error messages and field errors (HTTP 400, 404) and cancel answers', async () => {
    const fail =
      (status: number): NonNullable<Script['routes']>[string] =>
      (_ctx, _req, res) => {
        res.writeHead(status, { 'content-type': 'application/json' })
        res.end(
          JSON.stringify({
            code: status,
            message: PAYLOAD,
            data: {
              errors: [
                { path: PAYLOAD, message: PAYLOAD },
                { path: 'b', message: PAYLOAD },
              ],
            },
          }),
        )
      }
    const script: Script = {
      task: (ctx) => completedTask('t', ctx.origin),
      routes: {
        'POST /api/v1/task': fail(400),
        'DELETE /api/v1/task/:id': fail(400),
        'GET /api/v1/task/:id': fail(404),
      },
    }
    for (const args of [
      ['run', 'flux', 'txt2img', '-p', 'x'],
      ['task', 'cancel', 'task-1'],
      ['task', 'get', 'task-1'],
    ]) {
      const r = await against_(script, args)
      expect(r.code, args.join(' ')).toBe(1)
      expectInert(r)
    }
    const cancelled = await against_(
      {
        task: (ctx) => completedTask('t', ctx.origin),
        routes: {
          'DELETE /api/v1/tasks': (_c, _q, res) => res.end(envelope({ canceled: PAYLOAD })),
        },
      },
      ['tasks', 'cancel', '--model', 'all'],
    )
    expect(cancelled.code).toBe(0)
    expectInert(cancelled)
  })
})

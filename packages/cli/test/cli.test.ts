import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { startMock, type MockServer } from '@goapi/mock'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { goapi, goapiInTty, start, BIN, childEnv, removeTempDirs, tempDir } from './helpers.js'

// Each test starts Node child processes; keep the limit generous when run from the repo root too.
vi.setConfig({ testTimeout: 60_000, hookTimeout: 30_000 })

afterAll(removeTempDirs)

const PNG_MAGIC = '89504e470d0a1a0a'
const FAST = { GOAPI_MOCK_LATENCY_MS: '0' }
const KEY = 'sk-cli-test-secret-7c1f9e'

describe('goapi run against the built-in simulator', () => {
  it('runs a task, saves its file and prints a summary', async () => {
    const cwd = tempDir()
    const r = await goapi(['run', 'flux', 'txt2img', '--prompt', 'a red fox in the snow'], { cwd, env: FAST })
    expect(r.code).toBe(0)
    const notice = r.stderr.split('\n').filter((l) => l.includes('built-in simulator'))
    expect(notice).toHaveLength(1)
    expect(notice[0]).toContain('no GOAPI_API_KEY set')
    const id = /^Task\s+(\S+) \(Qubico\/flux1-schnell txt2img\) completed$/m.exec(r.stdout)?.[1]
    expect(id).toBeDefined()
    expect(r.stdout).toMatch(/^Credits\s+150,000 points \(\$0\.015\)$/m)
    expect(r.stdout).toMatch(/^Time\s+\d+\.\ds$/m)
    const dir = join(cwd, 'goapi-output', id as string)
    expect(readdirSync(dir)).toEqual(['image_url.png'])
    expect(readFileSync(join(dir, 'image_url.png')).subarray(0, 8).toString('hex')).toBe(PNG_MAGIC)
    expect(r.stdout).toContain(join('goapi-output', id as string, 'image_url.png'))
  })

  it('--json prints the final task, and --out picks the folder', async () => {
    const cwd = tempDir()
    const r = await goapi(
      ['run', 'Qubico/flux1-dev', 'txt2img', '-p', 'a lighthouse', '-i', 'width=512', '--json', '--out', 'pics'],
      { cwd, env: FAST },
    )
    expect(r.code).toBe(0)
    const task = JSON.parse(r.stdout) as {
      task_id: string
      status: string
      model: string
      input: { width: unknown }
      output: { image_url: string }
      meta: { usage: { consume: number } }
    }
    expect(task.status).toBe('completed')
    expect(task.model).toBe('Qubico/flux1-dev')
    expect(task.input.width).toBe(512)
    expect(task.output.image_url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/files\//)
    expect(task.meta.usage.consume).toBe(150000)
    expect(readdirSync(join(cwd, 'pics'))).toEqual(['image_url.png'])
    // The paths of the saved files are part of the JSON.
    const saved = (task as unknown as { saved_files: Array<{ field: string; path: string; bytes: number }> })
      .saved_files
    expect(saved).toEqual([{ field: 'image_url', path: join(cwd, 'pics', 'image_url.png'), bytes: expect.any(Number) }])
    expect(readFileSync(saved[0]?.path as string).byteLength).toBe(saved[0]?.bytes)
  })

  it('a failed task exits 1 with its error', async () => {
    const cwd = tempDir()
    const r = await goapi(['run', 'flux', 'txt2img', '--prompt', 'a fox [goapi-mock:fail]'], { cwd, env: FAST })
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/goapi: Task \S+ \(Qubico\/flux1-schnell txt2img\) failed: generation failed/)
    expect(r.stdout).toBe('')
    expect(existsSync(join(cwd, 'goapi-output'))).toBe(false)
  })

  it('invalid input exits 2 naming the field and its allowed values, before sending', async () => {
    const cwd = tempDir()
    const r = await goapi(
      ['run', 'suno', 'generate_music', '-i', 'gpt_description_prompt=night breeze', '-i', 'lyrics_type=shouting'],
      { cwd, env: FAST },
    )
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('Invalid input for music-s generate_music')
    expect(r.stderr).toContain('input.lyrics_type: must be one of "generate", "user", "instrumental"')
    expect(r.stderr).toContain('goapi models suno')
    expect(r.stderr).not.toContain('built-in simulator')

    const typed = await goapi(['run', 'flux', 'txt2img', '-p', 'x', '-i', 'width=wide', '-i', 'colour=red'], {
      cwd,
      env: FAST,
    })
    expect(typed.code).toBe(2)
    expect(typed.stderr).toContain('input.width: must be integer')
    // An unknown key is a warning, not a problem: GoAPI passes unknown keys through (spec/README.md).
    expect(typed.stderr).toContain('warning: txt2img does not document "input.colour"')
    expect(typed.stderr).not.toContain('input.colour:')

    const extra = await goapi(['run', 'flux', 'txt2img', '-p', 'x', '-i', 'colour=red', '--no-wait'], {
      cwd,
      env: FAST,
    })
    expect(extra.code).toBe(0)
    expect(extra.stderr).toContain('warning: txt2img does not document "input.colour"; sent as given')

    const unknown = await goapi(['run', 'flux', 'txt3img', '-p', 'x'], { cwd, env: FAST })
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toMatch(/flux has no task type "txt3img"\. Did you mean "txt2img"\? It has: .*txt2img/)

    const ambiguous = await goapi(['run', 'faceswap', 'face-swap'], { cwd, env: FAST })
    expect(ambiguous.code).toBe(2)
    expect(ambiguous.stderr).toContain('"face-swap" is ambiguous in faceswap: use one of imageFaceSwap, videoFaceSwap')
  })

  it('a family task can be named by its function, which picks its model', async () => {
    const cwd = tempDir()
    const r = await goapi(
      [
        'run',
        'kling',
        'turboVideoGeneration',
        '-p',
        'waves at dusk',
        '-i',
        'version=2.5-turbo',
        '--json',
        '--no-download',
      ],
      { cwd, env: FAST },
    )
    expect(r.code).toBe(0)
    const task = JSON.parse(r.stdout) as { model: string; task_type: string; status: string }
    expect([task.model, task.task_type, task.status]).toEqual(['kling-turbo', 'video_generation', 'completed'])
    expect(existsSync(join(cwd, 'goapi-output'))).toBe(false)
  })

  it('runs a .jsonl batch: failures do not stop the others, the exit code reports them', async () => {
    const cwd = tempDir()
    writeFileSync(
      join(cwd, 'prompts.jsonl'),
      [
        '{"prompt":"a cat"}',
        '{"prompt":"a dog [goapi-mock:fail]"}',
        '',
        '{"prompt":"a bird","width":512}',
        '{"prompt":"a fish"}',
      ].join('\n'),
    )
    const r = await goapi(['run', 'flux', 'txt2img', '--input-file', 'prompts.jsonl', '--concurrency', '2'], {
      cwd,
      env: FAST,
    })
    expect(r.code).toBe(1)
    const rows = r.stdout.split('\n').filter((l) => /^\d+\s/.test(l))
    expect(
      rows.map((l) =>
        l
          .split(/\s+/)
          .slice(0, 3)
          .join(' ')
          .replace(/ [0-9a-f-]{36} /, ' ID '),
      ),
    ).toEqual(['1 ID completed', '2 ID failed', '4 ID completed', '5 ID completed'])
    expect(r.stdout).toContain('3/4 completed')
    expect(r.stdout).toMatch(/^2 .*failed .*generation failed$/m)
    expect(readdirSync(join(cwd, 'goapi-output'))).toHaveLength(3)

    const json = await goapi(['run', 'flux', 'txt2img', '-f', 'prompts.jsonl', '--json'], { cwd, env: FAST })
    expect(json.code).toBe(1)
    const results = JSON.parse(json.stdout) as Array<{ line: number; status: string; files: string[] }>
    expect(results.map((x) => [x.line, x.status, x.files.length])).toEqual([
      [1, 'completed', 1],
      [2, 'failed', 0],
      [4, 'completed', 1],
      [5, 'completed', 1],
    ])

    writeFileSync(join(cwd, 'ok.jsonl'), '{"prompt":"one"}\n{"prompt":"two"}\n')
    const ok = await goapi(['run', 'flux', 'txt2img', '-f', 'ok.jsonl'], { cwd, env: FAST })
    expect(ok.code).toBe(0)
    expect(ok.stdout).toContain('2/2 completed')
  })

  it('--help succeeds; usage mistakes exit 2', async () => {
    const cwd = tempDir()
    const help = await goapi(['run', '--help'], { cwd })
    expect(help.code).toBe(0)
    expect(help.stdout).toContain('--input-file <file>')
    const unknown = await goapi(['fly'], { cwd })
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain("unknown command 'fly'")
    expect((await goapi(['task'], { cwd })).code).toBe(2)
  })

  it('goapi models lists the catalog and a family with its input fields', async () => {
    const cwd = tempDir()
    const all = await goapi(['models'], { cwd })
    expect(all.code).toBe(0)
    const flux = all.stdout.split('\n').find((l) => l.startsWith('flux '))
    expect(flux).toMatch(/^flux\s+Flux\s/)
    const [, , models, types] = (flux as string).split(/\s{2,}/)
    expect(models?.split(', ').sort()).toEqual([
      'Qubico/flux1-dev',
      'Qubico/flux1-dev-advanced',
      'Qubico/flux1-schnell',
    ])
    expect(types?.split(', ')).toContain('txt2img')
    const suno = await goapi(['models', 'suno', '--json'], { cwd })
    const parsed = JSON.parse(suno.stdout) as {
      tasks: Array<{ taskType: string; models: string[]; fields: Array<{ name: string; values?: string[] }> }>
    }
    const field = parsed.tasks
      .find((t) => t.taskType === 'generate_music' && t.models.includes('music-s'))
      ?.fields.find((f) => f.name === 'lyrics_type')
    expect(field?.values).toEqual(['generate', 'user', 'instrumental'])
  })
})

describe('with an API key, against a separate simulator', () => {
  let slow: MockServer
  beforeAll(async () => {
    slow = await startMock({ keys: [KEY], latency: { pendingMs: 600_000, processingMs: 1000 } })
  })
  afterAll(() => slow.close())
  const env = () => ({ GOAPI_API_KEY: KEY, GOAPI_BASE_URL: slow.url })

  it('Ctrl-C (SIGINT) during a wait without a terminal: no cancel, prints the task id, exits 130', async () => {
    const cwd = tempDir()
    const run = start(process.execPath, [BIN, 'run', 'flux', 'txt2img', '-p', 'a slow fox'], {
      cwd,
      env: childEnv(env()),
    })
    const id = (await run.waitFor(/Created task (\S+)/))[1] as string
    run.child.kill('SIGINT')
    const r = await run.done
    expect(r.code).toBe(130)
    expect(r.stderr).toContain(`task ${id} was not cancelled`)
    expect(r.stderr).toContain(`goapi task wait ${id}`)
    expect(r.stderr).not.toContain('built-in simulator')
    expect(slow.state.get(id)?.cancelledAt).toBeUndefined()
    expect(r.stdout + r.stderr).not.toContain(KEY)

    const got = await goapi(['task', 'get', id, '--json'], { cwd, env: env() })
    expect(got.code).toBe(0)
    expect((JSON.parse(got.stdout) as { status: string }).status).toBe('pending')
    const cancel = await goapi(['task', 'cancel', id], { cwd, env: env() })
    expect(cancel.code).toBe(0)
    expect(slow.state.get(id)?.cancelledAt).toBeDefined()
  })

  it('--no-wait prints the id; task wait on a cancelled task exits 1', async () => {
    const cwd = tempDir()
    const created = await goapi(['run', 'flux', 'txt2img', '-p', 'later', '--no-wait'], { cwd, env: env() })
    expect(created.code).toBe(0)
    const id = created.stdout.trim()
    expect(slow.state.get(id)).toBeDefined()
    const bulk = await goapi(['tasks', 'cancel', '--model', 'all'], { cwd, env: env() })
    expect(bulk.code).toBe(0)
    expect(bulk.stdout).toMatch(/^Cancelled \d+ pending task/)
    expect(slow.state.get(id)?.cancelledAt).toBeDefined()
    const waited = await goapi(['task', 'wait', id], { cwd, env: env() })
    expect(waited.code).toBe(1)
    expect(waited.stderr).toContain('task canceled')
  })

  it('goapi account shows credits and concurrency, and never the key', async () => {
    const cwd = tempDir()
    const account = await startMock({ keys: [KEY], accounts: { [KEY]: { credits: 5_000_000, concurrency: 3 } } })
    try {
      const env = { GOAPI_API_KEY: KEY, GOAPI_BASE_URL: account.url }
      const text = await goapi(['account'], { cwd, env })
      expect(text.code).toBe(0)
      expect(text.stdout).toMatch(/Credits\s+5,000,000 points \(\$0\.50\) remaining/)
      expect(text.stdout).toMatch(/Concurrency\s+3 tasks at once/)
      const json = await goapi(['account', '--json'], { cwd, env })
      const parsed = JSON.parse(json.stdout) as {
        account: { wallet?: { point_remain?: number } }
        active_tasks: unknown
      }
      expect(parsed.account.wallet?.point_remain).toBe(5_000_000)
      expect(text.stdout + text.stderr + json.stdout + json.stderr).not.toContain(KEY)
    } finally {
      await account.close()
    }
  })

  it('a wrong key is reported without printing it', async () => {
    const cwd = tempDir()
    const r = await goapi(['run', 'flux', 'txt2img', '-p', 'x'], {
      cwd,
      env: { GOAPI_API_KEY: 'sk-wrong-key-55aa', GOAPI_BASE_URL: slow.url },
    })
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('AuthenticationError')
    expect(r.stdout + r.stderr).not.toContain('sk-wrong-key-55aa')
  })

  it('in a terminal, Ctrl-C asks whether to cancel and cancels on "y"', async () => {
    const cwd = tempDir()
    const run = goapiInTty(['run', 'flux', 'txt2img', '-p', 'a fox to cancel'], { cwd, env: env() })
    const id = (await run.waitFor(/Created task (\S+)/))[1] as string
    run.child.stdin.write('\x03')
    await run.waitFor(/Cancel task \S+\? \[y\/N\]/)
    run.child.stdin.write('y\r')
    const r = await run.done
    expect(r.code).toBe(130)
    expect(r.stdout).toContain(`Cancelled task ${id}`)
    expect(slow.state.get(id)?.cancelledAt).toBeDefined()
    expect(r.stdout).not.toContain(KEY)
  })
})

describe('in a terminal', () => {
  it('renders the spinner with status and elapsed time, then ends cleanly with the cursor restored', async () => {
    const cwd = tempDir()
    const run = goapiInTty(['run', 'flux', 'txt2img', '-p', 'a fox on a pty'], {
      cwd,
      env: { GOAPI_MOCK_LATENCY_MS: '400,800' },
    })
    const r = await run.done
    expect(r.code).toBe(0)
    const screen = r.stdout
    expect(screen).toContain('\u001b[?25l')
    expect(screen.lastIndexOf('\u001b[?25h')).toBeGreaterThan(screen.lastIndexOf('\u001b[?25l'))
    expect(screen).toMatch(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏](?:\u001b\[\d+m)? task \S+ (pending|processing) \d+\.\ds/)
    expect(screen).toMatch(/Task\s+\S+ \(Qubico\/flux1-schnell txt2img\) completed/)
    const afterSummary = screen.slice(screen.indexOf('Files'))
    expect(afterSummary).not.toMatch(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/)
    const id = /Task\s+(\S+)/.exec(screen)?.[1] as string
    expect(readdirSync(join(cwd, 'goapi-output', id))).toEqual(['image_url.png'])
  })
})

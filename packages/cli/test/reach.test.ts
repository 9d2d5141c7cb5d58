// Every family is reachable: the spec's routes as commands (LLM, gpt-image, GPTs, uploads, account
// history), did-you-mean suggestions and the offline Ctrl-C, all against the built-in simulator.
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it, vi } from 'vitest'
import { connect } from '../src/backend.js'
import { routeNames, routes } from '../src/commands/routes.js'
import { closest } from '../src/suggest.js'
import { goapi, goapiInTty, removeTempDirs, start, BIN, childEnv, tempDir } from './helpers.js'

vi.setConfig({ testTimeout: 60_000, hookTimeout: 30_000 })
afterAll(removeTempDirs)

const FAST = { GOAPI_MOCK_LATENCY_MS: '0' }
const PNG_MAGIC = '89504e470d0a1a0a'

describe('routes as commands', () => {
  it('every route of the catalog has a command, named by its function', () => {
    const all = routes()
    expect(all.length).toBeGreaterThan(10)
    const llm = all.filter((r) => r.family === 'llm')
    const chat = llm.find((r) => r.function === 'createChatCompletion')
    expect(chat && routeNames(chat, llm)).toEqual(['chat', 'chat-completion', 'create-chat-completion'])
  })

  it('goapi llm chat streams the reply to stdout, through printable', async () => {
    const cwd = tempDir()
    // The simulator echoes the prompt in its reply: an escape sequence in it must not reach the terminal.
    const r = await goapi(['llm', 'chat', 'hello', 'there', '\u001b]0;pwned\u0007\u001b[2J'], { cwd, env: FAST })
    expect(r.code).toBe(0)
    expect(r.stdout).toBe('Simulated reply to "hello there ".\n')
    expect(r.stdout).not.toContain('\u001b')
    const whole = await goapi(['llm', 'chat', '--no-stream', '--json', 'hi'], { cwd, env: FAST })
    expect(whole.code).toBe(0)
    const answer = JSON.parse(whole.stdout) as { object: string; model: string; saved_files: unknown[] }
    expect(answer.object).toBe('chat.completion')
    expect(answer.model).toBe('gpt-4o-mini')
    expect(answer.saved_files).toEqual([])
  })

  it('goapi gpt-image generate saves the image and --json lists its path', async () => {
    const cwd = tempDir()
    const r = await goapi(['gpt-image', 'generate', '--prompt', 'a fox', '--json', '-o', 'img'], { cwd, env: FAST })
    expect(r.code).toBe(0)
    const answer = JSON.parse(r.stdout) as { saved_files: Array<{ field: string; path: string; bytes: number }> }
    expect(answer.saved_files).toHaveLength(1)
    const file = answer.saved_files[0] as { field: string; path: string; bytes: number }
    expect(file.field).toBe('data.0.b64_json')
    expect(file.path).toBe(join(cwd, 'img', 'data.0.png'))
    expect(readFileSync(file.path).subarray(0, 8).toString('hex')).toBe(PNG_MAGIC)
    // A second run never replaces the first file.
    const again = await goapi(['gpt-image', 'generate', '-p', 'a fox', '-o', 'img'], { cwd, env: FAST })
    expect(again.stdout).toMatch(/^Saved img\/data\.0-2\.png \(\d+\.\d kB\)$/m)
  })

  it('speech is saved as a file, embeddings and transcription print their answer', async () => {
    const cwd = tempDir()
    const speech = await goapi(['llm', 'speech', 'Say hello'], { cwd, env: FAST })
    expect(speech.code).toBe(0)
    const path = /^Saved (\S+speech\.mp3) /m.exec(speech.stdout)?.[1] as string
    expect(readFileSync(join(cwd, path)).byteLength).toBeGreaterThan(100)
    const embedding = await goapi(['llm', 'embedding', 'hello', '--json'], { cwd, env: FAST })
    expect((JSON.parse(embedding.stdout) as { data: Array<{ embedding: number[] }> }).data[0]?.embedding.length).toBe(4)
    writeFileSync(join(cwd, 'a.wav'), 'RIFF....WAVE')
    const text = await goapi(['llm', 'transcription', '-i', 'file=@a.wav'], { cwd, env: FAST })
    expect(text.code).toBe(0)
    expect(text.stdout.trim()).not.toBe('')
    const missing = await goapi(['llm', 'transcription'], { cwd, env: FAST })
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain('-i file=@FILE')
  })

  it('GPTs conversations stream and say how to continue; add-message takes the id', async () => {
    const cwd = tempDir()
    const first = await goapi(['gpts', 'conversation', 'hello'], { cwd, env: FAST })
    expect(first.code).toBe(0)
    expect(first.stdout).toContain('Simulated reply to "hello"')
    const id = /Conversation (\S+): continue it with: goapi gpts add-message \S+/.exec(first.stderr)?.[1]
    expect(id).toBeDefined()
    const next = await goapi(['gpts', 'add-message', id as string, 'and then?'], { cwd, env: FAST })
    expect(next.code).toBe(0)
    expect(next.stdout).toContain('and then?')
  })

  it('goapi upload prints the URL; goapi account history lists tasks', async () => {
    const cwd = tempDir()
    writeFileSync(join(cwd, 'pic.png'), Buffer.from(PNG_MAGIC, 'hex'))
    const up = await goapi(['upload', 'pic.png'], { cwd, env: FAST })
    expect(up.code).toBe(0)
    expect(up.stdout).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/files\/\S+\.png\n$/)
    const history = await goapi(['account', 'history'], { cwd, env: FAST })
    expect(history.code).toBe(0)
    expect(history.stdout).toMatch(/Page 1/)
  })

  it('a task-only command on a route-only family says where its commands are', async () => {
    const r = await goapi(['run', 'llm', 'chat'], { cwd: tempDir(), env: FAST })
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('llm has no task types: its routes are commands, see: goapi llm --help')
  })
})

describe('did you mean', () => {
  it('suggests the closest family, task type, model and field', async () => {
    expect(closest('fluxx', ['flux', 'kling', 'luma'])).toEqual(['flux'])
    expect(closest('txt2im', ['txt2img', 'txt2imgLora', 'img2img'])).toEqual(['txt2img'])
    expect(closest('zzzzzz', ['flux'])).toEqual([])
    const cwd = tempDir()
    const family = await goapi(['run', 'fluxx', 'txt2img', '-p', 'x'], { cwd, env: FAST })
    expect(family.code).toBe(2)
    expect(family.stderr).toContain('Did you mean "flux"?')
    const type = await goapi(['run', 'flux', 'txt2im', '-p', 'x'], { cwd, env: FAST })
    expect(type.stderr).toContain('Did you mean "txt2img"?')
    const model = await goapi(['run', 'flux', 'txt2img', '-p', 'x', '-m', 'Qubico/flux1-schnel'], { cwd, env: FAST })
    expect(model.stderr).toContain('Did you mean "Qubico/flux1-schnell"?')
    const field = await goapi(['run', 'flux', 'txt2img', '-p', 'x', '-i', 'widht=512'], { cwd, env: FAST })
    expect(field.stderr).toContain('Did you mean "input.width"?')
    const models = await goapi(['models', 'fluxx'], { cwd })
    expect(models.stderr).toContain('Did you mean "flux"?')
  })
})

describe('offline Ctrl-C', () => {
  it('cancels the simulated task in the simulator itself, so it cannot complete first', async () => {
    const saved = process.env.GOAPI_MOCK_LATENCY_MS
    process.env.GOAPI_MOCK_LATENCY_MS = '0,600000'
    const backend = await connect({ offline: true }, () => {})
    try {
      const task = await backend.client.createUntypedTask({
        model: 'Qubico/flux1-schnell',
        task_type: 'txt2img',
        input: { prompt: 'x' },
      })
      expect(backend.halt?.([task.task_id])).toEqual([task.task_id])
      const after = await backend.client.getTask(task.task_id)
      expect(after.status).toBe('failed')
      // Cancelled once: a second halt finds it finished.
      expect(backend.halt?.([task.task_id])).toEqual([])
    } finally {
      await backend.close()
      if (saved === undefined) delete process.env.GOAPI_MOCK_LATENCY_MS
      else process.env.GOAPI_MOCK_LATENCY_MS = saved
    }
  })

  it('without a terminal: cancels at once, exits 130, no resume hint', async () => {
    const cwd = tempDir()
    const run = start(process.execPath, [BIN, 'run', 'flux', 'txt2img', '-p', 'a slow fox'], {
      cwd,
      env: childEnv({ GOAPI_MOCK_LATENCY_MS: '600000,1000' }),
    })
    const id = (await run.waitFor(/Created task (\S+)/))[1] as string
    run.child.kill('SIGINT')
    const r = await run.done
    expect(r.code).toBe(130)
    expect(r.stderr).toContain(`Interrupted; cancelled simulated task ${id}.`)
    expect(r.stderr).not.toContain('goapi task wait')
  })

  it('in a terminal: no question, no resume hint', async () => {
    const cwd = tempDir()
    const run = goapiInTty(['run', 'flux', 'txt2img', '-p', 'a fox to cancel'], {
      cwd,
      env: { GOAPI_MOCK_LATENCY_MS: '600000,1000' },
    })
    const id = (await run.waitFor(/Created task (\S+)/))[1] as string
    run.child.stdin.write('\x03')
    const r = await run.done
    expect(r.code).toBe(130)
    expect(r.stdout).toContain(`cancelled simulated task ${id}`)
    expect(r.stdout).not.toContain('[y/N]')
    expect(r.stdout).not.toContain('task wait')
  })
})

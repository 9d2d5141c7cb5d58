// Finding 1 and 5: a hostile task id must not choose where files go, and nothing already on disk
// (a file, a pre-planted symlink) is replaced or followed. Each test snapshots the folder around
// the working folder before and after a real CLI run against a hostile server on 127.0.0.1.
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { removeTempDirs, tempDir } from '../helpers.js'
import { completedTask, png, startHostileApi } from './hostile-api.js'
import { against, runCli, tree } from './run-cli.js'

afterAll(removeTempDirs)

/** A parent folder holding the working folder `work` (and `outside`, for symlink targets). */
function workspace() {
  const parent = tempDir()
  const work = join(parent, 'work')
  const outside = join(parent, 'outside')
  mkdirSync(work)
  mkdirSync(outside)
  return { parent, work, outside }
}

async function withTaskId<T>(id: string, fn: (url: string) => Promise<T>): Promise<T> {
  const api = await startHostileApi({
    task: (ctx) => completedTask(id, ctx.origin),
    files: { '/files/a.png': png },
  })
  try {
    return await fn(api.url)
  } finally {
    await api.close()
  }
}

const HOSTILE_IDS: Array<[string, string]> = [
  ['..', '..'],
  ['../..', '../..'],
  ['../../x', '../../x'],
  ['.', '.'],
  ['empty', ''],
  ['an absolute path', '/ABSOLUTE'],
  ['a NUL byte', 'task\u0000id'],
  ['a backslash path', '..\\..\\x'],
  ['5,000 characters', 'x'.repeat(5000)],
]

describe('a hostile task id never leaves ./goapi-output', () => {
  it.each(HOSTILE_IDS)('goapi run with task_id %s', async (_label, rawId) => {
    const { parent, work } = workspace()
    const absolute = join(parent, 'abs-target')
    const id = rawId === '/ABSOLUTE' ? absolute : rawId
    const before = tree(parent)
    const r = await withTaskId(id, (url) =>
      runCli(['run', 'flux', 'txt2img', '-p', 'x'], { cwd: work, env: against(url) }),
    )
    expect(r.code, r.text).toBe(0)
    const added = tree(parent).filter((p) => !before.includes(p))
    // Exactly: goapi-output, one task folder, its one file.
    expect(added).toHaveLength(3)
    for (const p of added) expect(p.startsWith('work/goapi-output')).toBe(true)
    expect(added.filter((p) => p.endsWith('/image_url.png'))).toHaveLength(1)
    expect(existsSync(absolute)).toBe(false)
    expect(existsSync(join(parent, 'x'))).toBe(false)
  })

  it('batch mode (--input-file .jsonl --out) keeps every task inside --out', async () => {
    const { parent, work } = workspace()
    writeFileSync(join(work, 'tasks.jsonl'), '{"prompt":"a"}\n{"prompt":"b"}\n')
    const before = tree(parent)
    const r = await withTaskId('../../escaped', (url) =>
      runCli(['run', 'flux', 'txt2img', '-f', 'tasks.jsonl', '--out', 'batch-out'], { cwd: work, env: against(url) }),
    )
    expect(r.code, r.text).toBe(0)
    const added = tree(parent).filter((p) => !before.includes(p))
    for (const p of added) expect(p.startsWith('work/batch-out')).toBe(true)
    expect(existsSync(join(parent, 'escaped'))).toBe(false)
    expect(existsSync(join(work, 'escaped'))).toBe(false)
  })

  it('goapi task wait with a server answering another, hostile task id', async () => {
    const { parent, work } = workspace()
    const before = tree(parent)
    const r = await withTaskId('../../../wait-escape', (url) =>
      runCli(['task', 'wait', 'task-123'], { cwd: work, env: against(url) }),
    )
    expect(r.code, r.text).toBe(0)
    const added = tree(parent).filter((p) => !before.includes(p))
    expect(added.length).toBeGreaterThan(0)
    for (const p of added) expect(p.startsWith('work/goapi-output')).toBe(true)
  })
})

describe('nothing on disk is replaced or followed', () => {
  it('a task folder planted as a symlink is refused; the link target stays empty', async () => {
    const { work, outside } = workspace()
    mkdirSync(join(work, 'goapi-output'))
    symlinkSync(outside, join(work, 'goapi-output', 'task-1'))
    const r = await withTaskId('task-1', (url) =>
      runCli(['run', 'flux', 'txt2img', '-p', 'x'], { cwd: work, env: against(url) }),
    )
    expect(r.code).toBe(1)
    expect(r.stderr.toString()).toMatch(/Not saved image_url: unsafe_path/)
    expect(tree(outside)).toEqual([])
  })

  it('a file planted as a symlink is not followed: the download gets a new name', async () => {
    const { work, outside } = workspace()
    const victim = join(outside, 'victim.txt')
    writeFileSync(victim, 'ORIGINAL')
    mkdirSync(join(work, 'pics'))
    symlinkSync(victim, join(work, 'pics', 'image_url.png'))
    const r = await withTaskId('task-1', (url) =>
      runCli(['run', 'flux', 'txt2img', '-p', 'x', '--out', 'pics'], { cwd: work, env: against(url) }),
    )
    expect(r.code, r.text).toBe(0)
    expect(readFileSync(victim, 'utf8')).toBe('ORIGINAL')
    expect(readFileSync(join(work, 'pics', 'image_url-2.png'), 'utf8')).toBe('PNGDATA')
    expect(r.stdout.toString()).toContain(join('pics', 'image_url-2.png'))
  })

  it('--overwrite never writes through a symlink', async () => {
    const { work, outside } = workspace()
    const victim = join(outside, 'victim.txt')
    writeFileSync(victim, 'ORIGINAL')
    mkdirSync(join(work, 'pics'))
    symlinkSync(victim, join(work, 'pics', 'image_url.png'))
    const r = await withTaskId('task-1', (url) =>
      runCli(['run', 'flux', 'txt2img', '-p', 'x', '--out', 'pics', '--overwrite'], { cwd: work, env: against(url) }),
    )
    expect(r.code).toBe(1)
    expect(r.stderr.toString()).toMatch(/unsafe_path/)
    expect(readFileSync(victim, 'utf8')).toBe('ORIGINAL')
  })

  it('an existing file is kept (the new one is name-2); --overwrite replaces it', async () => {
    const { work } = workspace()
    mkdirSync(join(work, 'pics'))
    writeFileSync(join(work, 'pics', 'image_url.png'), 'MINE')
    const kept = await withTaskId('task-1', (url) =>
      runCli(['run', 'flux', 'txt2img', '-p', 'x', '--out', 'pics'], { cwd: work, env: against(url) }),
    )
    expect(kept.code, kept.text).toBe(0)
    expect(readFileSync(join(work, 'pics', 'image_url.png'), 'utf8')).toBe('MINE')
    expect(readFileSync(join(work, 'pics', 'image_url-2.png'), 'utf8')).toBe('PNGDATA')

    const replaced = await withTaskId('task-1', (url) =>
      runCli(['run', 'flux', 'txt2img', '-p', 'x', '--out', 'pics', '--overwrite'], { cwd: work, env: against(url) }),
    )
    expect(replaced.code, replaced.text).toBe(0)
    expect(readFileSync(join(work, 'pics', 'image_url.png'), 'utf8')).toBe('PNGDATA')
  })
})

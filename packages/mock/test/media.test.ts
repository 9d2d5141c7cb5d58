// The simulator's media are real: its MP4s carry an H.264 stream that ffprobe lists, ffmpeg
// decodes and headless Chromium plays; its speech answers are MP3/FLAC/AAC/Opus that ffmpeg decodes.
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { mp4 } from '../src/files/mp4.js'
import { startMock, type MockServer } from '../src/index.js'
import { call, exampleRequest, type TaskBody } from './helpers.js'

const KEY = 'media-test-key'
const CHROMIUM = '/usr/bin/chromium'
let mock: MockServer
let dir = ''

function requireTool(name: string): void {
  if (spawnSync(name, ['-version']).status !== 0)
    throw new Error(
      `${name} is missing: install it with \`bash scripts/ensure-test-tools.sh\` (apt-get install ffmpeg as root)`,
    )
}

/** Every URL ending in `.mp4` in a value. */
function mp4Urls(value: unknown): string[] {
  if (typeof value === 'string') return /\.mp4$/.test(value) ? [value] : []
  if (Array.isArray(value)) return value.flatMap(mp4Urls)
  if (typeof value === 'object' && value !== null) return Object.values(value).flatMap(mp4Urls)
  return []
}

async function videoOf(input: Record<string, unknown>): Promise<{ url: string; bytes: Buffer }> {
  const example = exampleRequest(mock, 'kling', 'video_generation')
  const created = await call<TaskBody>(mock, 'POST', '/api/v1/task', KEY, {
    ...example,
    input: { ...example.input, ...input },
  })
  expect(created.status).toBe(200)
  const task = await call<TaskBody>(mock, 'GET', `/api/v1/task/${created.body.data.task_id}`, KEY)
  const url = mp4Urls(task.body.data.output)[0]
  if (!url) throw new Error('the completed Kling output has no MP4 URL')
  const res = await fetch(url)
  expect(res.headers.get('content-type')).toBe('video/mp4')
  return { url, bytes: Buffer.from(await res.arrayBuffer()) }
}

async function saved(name: string, bytes: Buffer): Promise<string> {
  const file = join(dir, name)
  await writeFile(file, bytes)
  return file
}

beforeAll(async () => {
  mock = await startMock({})
  dir = await mkdtemp(join(tmpdir(), 'goapi-mock-media-'))
})
afterAll(async () => {
  await mock.close()
  await rm(dir, { recursive: true, force: true })
})

describe('MP4 outputs', () => {
  it('carry an H.264 stream that ffprobe lists and ffmpeg decodes without error', async () => {
    requireTool('ffprobe')
    const file = await saved('a.mp4', (await videoOf({ prompt: 'a fox running in the snow' })).bytes)
    const probe = execFileSync('ffprobe', [
      '-v',
      'error',
      '-show_entries',
      'stream=codec_name,width,height,nb_frames:format=nb_streams',
      '-of',
      'default=nw=1',
      file,
    ]).toString()
    expect(probe).toMatch(/^codec_name=h264$/m)
    expect(Number(/^nb_streams=(\d+)$/m.exec(probe)?.[1])).toBeGreaterThanOrEqual(1)
    expect(Number(/^width=(\d+)$/m.exec(probe)?.[1])).toBeGreaterThan(0)
    const decode = spawnSync('ffmpeg', ['-v', 'error', '-i', file, '-f', 'null', '-'])
    expect(decode.status).toBe(0)
    expect(decode.stderr.toString()).toBe('')
  })

  it('do not depend on the clock: the same input a minute later gives the same bytes', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    try {
      vi.setSystemTime(new Date('2026-01-01T00:00:00Z'))
      const first = await mp4('same seed')
      vi.setSystemTime(new Date('2026-01-01T00:01:01Z'))
      const later = await mp4('same seed')
      expect(later.equals(first)).toBe(true)
    } finally {
      vi.useRealTimers()
    }
  })

  it('are deterministic from the input', async () => {
    const a = await videoOf({ prompt: 'same prompt' })
    const b = await videoOf({ prompt: 'same prompt' })
    const c = await videoOf({ prompt: 'another prompt' })
    expect(b.bytes.equals(a.bytes)).toBe(true)
    expect(c.bytes.equals(a.bytes)).toBe(false)
  })

  it('play in headless Chromium from the simulator (readyState >= 2, videoWidth > 0)', async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(`Chromium is missing at ${CHROMIUM}: install it with \`bash scripts/ensure-test-tools.sh\``)
    const { url } = await videoOf({ prompt: 'a video for the browser' })
    const profile = await mkdtemp(join(tmpdir(), 'goapi-mock-chromium-'))
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
    })
    try {
      const page = await context.newPage()
      // Chromium shows a media URL in its own player page, a <video> element on the simulator's origin.
      await page.goto(url)
      const state = await page.waitForFunction(
        () => {
          const v = document.querySelector('video')
          if (!v) return false
          v.muted = true
          void v.play().catch(() => undefined)
          return v.readyState >= 2 && v.videoWidth > 0
            ? { readyState: v.readyState, width: v.videoWidth, error: v.error?.code ?? null }
            : false
        },
        undefined,
        { timeout: 30_000, polling: 100 },
      )
      const value = (await state.jsonValue()) as { readyState: number; width: number; error: number | null }
      expect(value.readyState).toBeGreaterThanOrEqual(2)
      expect(value.width).toBe(96)
      expect(value.error).toBeNull()
    } finally {
      await context.close()
      await rm(profile, { recursive: true, force: true })
    }
  })
})

describe('speech answers', () => {
  it.each([
    ['mp3', 'audio/mpeg', 'mp3'],
    ['flac', 'audio/flac', 'flac'],
    ['aac', 'audio/aac', 'aac'],
    ['opus', 'audio/opus', 'opus'],
  ])('%s: real audio that ffmpeg decodes', async (format, type, codec) => {
    requireTool('ffmpeg')
    const res = await fetch(`${mock.url}/v1/audio/speech`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'tts-1',
        input: 'Hello from the simulator',
        voice: 'alloy',
        response_format: format,
      }),
    })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe(type)
    const file = await saved(`speech.${format}`, Buffer.from(await res.arrayBuffer()))
    const probe = execFileSync('ffprobe', [
      '-v',
      'error',
      '-show_entries',
      'stream=codec_name',
      '-of',
      'default=nw=1',
      file,
    ]).toString()
    expect(probe).toContain(`codec_name=${codec}`)
    const decode = spawnSync('ffmpeg', ['-v', 'error', '-i', file, '-f', 'null', '-'])
    expect(decode.status).toBe(0)
    expect(decode.stderr.toString()).toBe('')
    // Decoded samples: about as long as the text takes to say (24 characters, 1.6 s).
    const pcm = execFileSync('ffmpeg', ['-v', 'error', '-i', file, '-ac', '1', '-ar', '8000', '-f', 's16le', '-'])
    expect(pcm.length / 2 / 8000).toBeGreaterThan(1.4)
    expect(pcm.length / 2 / 8000).toBeLessThan(1.8)
  })
})

// Clip accessors on real completed tasks from the simulator over HTTP, plus the edge cases GoAPI
// has been seen to send (empty clip objects, lyrics outputs).
import { createClient, type GoApiClient } from '@goapi/client'
import { startMock, type MockServer } from '@goapi/mock'
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest'
import { generateLyrics, generateMusic, sunoAudioClips, sunoClip, sunoClips, type SunoClip } from '../src/index.js'

let mock: MockServer
let goapi: GoApiClient

beforeAll(async () => {
  mock = await startMock({ latency: { pendingMs: 5, processingMs: 10 } })
  goapi = createClient({
    apiKey: 'suno-test-key',
    baseUrl: mock.url,
    wait: { poll: { initialDelayMs: 5, maxDelayMs: 20 } },
  })
})
afterAll(() => mock.close())

describe('Suno clip accessors', () => {
  it('lists the typed clips of a completed music task, with served audio', async () => {
    const task = await generateMusic(goapi, { gpt_description_prompt: 'night breeze', make_instrumental: false })
    const clips = sunoClips(task)
    expectTypeOf(clips[0]!).toMatchTypeOf<SunoClip>()
    expect(clips.length).toBeGreaterThan(0)
    expect(clips.map((c) => c.id)).toEqual(Object.keys((task.output as { clips: object }).clips))
    const ready = sunoAudioClips(task)
    expect(ready.length).toBeGreaterThan(0)
    const audio = await fetch(ready[0]!.audio_url)
    expect(audio.status).toBe(200)
    expect(sunoClip(task, clips[0]!.id)?.title).toBe(clips[0]!.title)
    expect(sunoClip(task, 'no-such-clip')).toBeUndefined()
  })

  it('returns no clips for a lyrics task', async () => {
    const lyrics = await generateLyrics(goapi, { prompt: 'a song about the sea' })
    expect(sunoClips(lyrics)).toEqual([])
  })

  it('keys empty clips by their map key and skips them as audio', () => {
    const task = {
      output: {
        clips: {
          'k-1': {},
          'k-2': { id: 'k-2', audio_url: 'https://x/2.mp3', status: 'complete' },
          'k-3': { audio_url: 'https://x/3.mp3', status: 'streaming' },
        },
      },
    }
    expect(sunoClips(task).map((c) => c.id)).toEqual(['k-1', 'k-2', 'k-3'])
    expect(sunoAudioClips(task).map((c) => c.id)).toEqual(['k-2'])
    expect(sunoClips({ output: null })).toEqual([])
  })
})

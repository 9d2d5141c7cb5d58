// Accessors for the clips of a finished Suno music task. `output.clips` is an object keyed by clip
// id (not an array) and a clip may be an empty object, so these read it defensively.
import type { components } from '@goapi/types'

type Schemas = components['schemas']
type SunoClipT = Schemas['SunoClip']

/** A clip with its id: from the clip, else the key it was stored under. */
export type SunoClipWithId = SunoClipT & { id: string }

interface WithMusicOutput {
  output: Schemas['SunoTaskOutput'] | Schemas['SunoMusicOutput'] | null
}

/** Every clip of a finished music task, in the order GoAPI listed them, each with its `id`. `[]` for a lyrics task or no output. */
export function sunoClips(task: WithMusicOutput): SunoClipWithId[] {
  const output = task.output
  if (!output || typeof output !== 'object' || !('clips' in output) || !output.clips) return []
  return Object.entries(output.clips).map(([key, clip]) => ({ ...clip, id: clip.id || key }))
}

/** The clips whose audio is ready: `audio_url` set and status `complete` (or no status). */
export function sunoAudioClips(task: WithMusicOutput): Array<SunoClipWithId & { audio_url: string }> {
  return sunoClips(task).filter(
    (c): c is SunoClipWithId & { audio_url: string } =>
      typeof c.audio_url === 'string' && c.audio_url !== '' && (c.status === undefined || c.status === 'complete'),
  )
}

/** One clip by id, or `undefined`. */
export function sunoClip(task: WithMusicOutput, clipId: string): SunoClipWithId | undefined {
  return sunoClips(task).find((c) => c.id === clipId)
}

// Follow-ups from a finished Midjourney task: the U/V/reroll/pan/zoom buttons as functions that
// take the earlier task (or its id) and fill in `origin_task_id`. Grid tasks and upscaled tasks
// accept different `index` values, so the origin's task type picks the allowed ones.
import type { CompletedTask, GoApiClient, RunOptions, TaskConfig } from '@goapi/client'
import type { components } from '@goapi/types'
import { outpaint, pan, reroll, seed, upscale, variation } from './generated/tasks.js'

type Schemas = components['schemas']
type UpscaleIndex = Schemas['MidjourneyUpscaleIndex']
type VariationIndex = Schemas['MidjourneyVariationIndex']

/** Task types whose result is a 2x2 grid of four images. */
export type MidjourneyGridTaskType = 'imagine' | 'variation' | 'reroll' | 'blend' | 'inpaint' | 'outpaint' | 'pan'
/** A finished task of this type (or any object carrying its `task_id` and `task_type`). */
export type MidjourneyOrigin<T extends string> = Pick<CompletedTask<'midjourney', 'imagine'>, 'task_id'> & {
  task_type: T
}
/** A grid cell: U1-U4 / V1-V4. */
export type MidjourneyGridIndex = Extract<UpscaleIndex, '1' | '2' | '3' | '4'>
/** Upscale modes of an already upscaled image (they depend on the origin's Midjourney version). */
export type MidjourneyUpscaledUpscaleIndex = Exclude<UpscaleIndex, MidjourneyGridIndex>
/** Vary (Strong) / Vary (Subtle) of an upscaled image. */
export type MidjourneyUpscaledVariationIndex = Exclude<VariationIndex, MidjourneyGridIndex>

/** Options of every follow-up: wait options plus the task `config`. */
export type MidjourneyFollowUpOptions = RunOptions & { config?: TaskConfig }

type Origin = string | { task_id: string }
const originId = (origin: Origin): string => (typeof origin === 'string' ? origin : origin.task_id)

/** Upscales one cell (`'1'`-`'4'`) of a grid task (U1-U4). */
export function upscaleFrom(
  client: GoApiClient,
  origin: MidjourneyOrigin<MidjourneyGridTaskType>,
  index: MidjourneyGridIndex,
  options?: MidjourneyFollowUpOptions,
): Promise<CompletedTask<'midjourney', 'upscale'>>
/** Re-upscales an upscaled task (`light`/`beta` for V4, `2x`/`4x` for V5, `subtle`/`creative` for V6). */
export function upscaleFrom(
  client: GoApiClient,
  origin: MidjourneyOrigin<'upscale'>,
  index: MidjourneyUpscaledUpscaleIndex,
  options?: MidjourneyFollowUpOptions,
): Promise<CompletedTask<'midjourney', 'upscale'>>
/** Upscales from a task given by id (any index; the server checks it fits). */
export function upscaleFrom(
  client: GoApiClient,
  originTaskId: string,
  index: UpscaleIndex,
  options?: MidjourneyFollowUpOptions,
): Promise<CompletedTask<'midjourney', 'upscale'>>
export function upscaleFrom(
  client: GoApiClient,
  origin: Origin,
  index: UpscaleIndex,
  options?: MidjourneyFollowUpOptions,
): Promise<CompletedTask<'midjourney', 'upscale'>> {
  return upscale(client, { origin_task_id: originId(origin), index }, options)
}

/** Extra fields of a variation; `prompt` defaults to the origin task's prompt when its input has one (an upscaled task has none: then `''`). */
export type MidjourneyVariationExtra = Partial<Omit<Schemas['MidjourneyVariationInput'], 'origin_task_id' | 'index'>>

type WithInput = { input?: { prompt?: unknown } | Record<string, unknown> }
const originPrompt = (origin: Origin): string | undefined => {
  const prompt = typeof origin === 'string' ? undefined : (origin as WithInput).input?.prompt
  return typeof prompt === 'string' ? prompt : undefined
}

/** Varies one cell (`'1'`-`'4'`) of a grid task (V1-V4). */
export function variationFrom(
  client: GoApiClient,
  origin: MidjourneyOrigin<MidjourneyGridTaskType>,
  index: MidjourneyGridIndex,
  extra?: MidjourneyVariationExtra,
  options?: MidjourneyFollowUpOptions,
): Promise<CompletedTask<'midjourney', 'variation'>>
/** Vary (Strong) `high_variation` or Vary (Subtle) `low_variation` of an upscaled task. */
export function variationFrom(
  client: GoApiClient,
  origin: MidjourneyOrigin<'upscale'>,
  index: MidjourneyUpscaledVariationIndex,
  extra?: MidjourneyVariationExtra,
  options?: MidjourneyFollowUpOptions,
): Promise<CompletedTask<'midjourney', 'variation'>>
/** Varies a task given by id; pass the `prompt` (the API requires one). */
export function variationFrom(
  client: GoApiClient,
  originTaskId: string,
  index: VariationIndex,
  extra: MidjourneyVariationExtra & { prompt: string },
  options?: MidjourneyFollowUpOptions,
): Promise<CompletedTask<'midjourney', 'variation'>>
export function variationFrom(
  client: GoApiClient,
  origin: Origin,
  index: VariationIndex,
  extra: MidjourneyVariationExtra = {},
  options?: MidjourneyFollowUpOptions,
): Promise<CompletedTask<'midjourney', 'variation'>> {
  const prompt = extra.prompt ?? originPrompt(origin) ?? ''
  return variation(client, { ...extra, origin_task_id: originId(origin), index, prompt }, options)
}

/** Runs a grid task's job again (🔄), optionally with a new prompt or aspect ratio. */
export function rerollFrom(
  client: GoApiClient,
  origin: MidjourneyOrigin<MidjourneyGridTaskType> | string,
  extra: Partial<Omit<Schemas['MidjourneyRerollInput'], 'origin_task_id'>> = {},
  options?: MidjourneyFollowUpOptions,
): Promise<CompletedTask<'midjourney', 'reroll'>> {
  return reroll(client, { ...extra, origin_task_id: originId(origin) }, options)
}

/** Extends an upscaled task's image towards one side (⬅️ ➡️ ⬆️ ⬇️). */
export function panFrom(
  client: GoApiClient,
  origin: MidjourneyOrigin<'upscale'> | string,
  direction: Schemas['MidjourneyPanDirection'],
  extra: Partial<Omit<Schemas['MidjourneyPanInput'], 'origin_task_id' | 'direction'>> = {},
  options?: MidjourneyFollowUpOptions,
): Promise<CompletedTask<'midjourney', 'pan'>> {
  return pan(client, { ...extra, origin_task_id: originId(origin), direction }, options)
}

/** Zooms out of an upscaled task's image (`'1.5'`, `'2'`, `'1'` for make-square, or a custom value in (1, 2]). */
export function outpaintFrom(
  client: GoApiClient,
  origin: MidjourneyOrigin<'upscale'> | string,
  zoomRatio: Schemas['MidjourneyZoomRatio'],
  extra: Partial<Omit<Schemas['MidjourneyOutpaintInput'], 'origin_task_id' | 'zoom_ratio'>> = {},
  options?: MidjourneyFollowUpOptions,
): Promise<CompletedTask<'midjourney', 'outpaint'>> {
  return outpaint(client, { ...extra, origin_task_id: originId(origin), zoom_ratio: zoomRatio }, options)
}

/** The seed of a finished grid task. */
export function seedFrom(
  client: GoApiClient,
  origin: MidjourneyOrigin<MidjourneyGridTaskType> | string,
  options?: MidjourneyFollowUpOptions,
): Promise<CompletedTask<'midjourney', 'seed'>> {
  return seed(client, { origin_task_id: originId(origin) }, options)
}

/** The four images of a finished grid task: `image_urls`, else `temporary_image_urls`; `[]` when the plan hides both. */
export function gridImageUrls(task: {
  output: Schemas['MidjourneyImageOutput'] | Schemas['MidjourneyUpscaleOutput']
}): string[] {
  return task.output.image_urls ?? task.output.temporary_image_urls ?? []
}

// Follow-ups from finished tasks, through the simulator over real HTTP: every request the helpers
// build passes the simulator's spec validation and carries the origin task's id.
import { createClient, type GoApiClient } from '@goapi/client'
import { startMock, type MockServer } from '@goapi/mock'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  gridImageUrls,
  imagine,
  outpaintFrom,
  panFrom,
  rerollFrom,
  seedFrom,
  upscaleFrom,
  variationFrom,
} from '../src/index.js'

let mock: MockServer
let goapi: GoApiClient

beforeAll(async () => {
  mock = await startMock({ latency: { pendingMs: 5, processingMs: 10 } })
  goapi = createClient({
    apiKey: 'mj-test-key',
    baseUrl: mock.url,
    wait: { poll: { initialDelayMs: 5, maxDelayMs: 20 } },
  })
})
afterAll(() => mock.close())

describe('Midjourney follow-ups', () => {
  it('chains imagine → upscale → variation/pan/zoom, each pointing at its origin', async () => {
    const grid = await imagine(goapi, { prompt: 'a lighthouse at dusk', aspect_ratio: '16:9' })
    expect(gridImageUrls(grid).length).toBeGreaterThan(0)

    const up = await upscaleFrom(goapi, grid, '2')
    expect(up.status).toBe('completed')
    expect(up.task_type).toBe('upscale')
    expect(up.input).toMatchObject({ origin_task_id: grid.task_id, index: '2' })

    const strong = await variationFrom(goapi, up, 'high_variation', { prompt: 'stormy' })
    expect(strong.input).toMatchObject({ origin_task_id: up.task_id, index: 'high_variation', prompt: 'stormy' })

    const same = await variationFrom(goapi, grid, '1') // the prompt comes from the grid's input
    expect(same.input).toMatchObject({ origin_task_id: grid.task_id, index: '1', prompt: 'a lighthouse at dusk' })

    const cell = await variationFrom(goapi, grid, '4', { prompt: 'in winter' })
    expect(cell.input).toMatchObject({ origin_task_id: grid.task_id, index: '4', prompt: 'in winter' })

    const creative = await upscaleFrom(goapi, up, 'creative')
    expect(creative.input).toMatchObject({ origin_task_id: up.task_id, index: 'creative' })

    const left = await panFrom(goapi, up, 'left', { prompt: 'more sea' })
    expect(left.input).toMatchObject({ origin_task_id: up.task_id, direction: 'left', prompt: 'more sea' })

    const zoom = await outpaintFrom(goapi, up, '1.5')
    expect(zoom.input).toMatchObject({ origin_task_id: up.task_id, zoom_ratio: '1.5' })
  })

  it('rerolls and reads the seed of a grid, also by task id', async () => {
    const grid = await imagine(goapi, { prompt: 'a red fox' })
    const again = await rerollFrom(goapi, grid, { prompt: 'a red fox, watercolor' })
    expect(again.input).toMatchObject({ origin_task_id: grid.task_id, prompt: 'a red fox, watercolor' })
    const seeded = await seedFrom(goapi, grid.task_id)
    expect(seeded.task_type).toBe('seed')
    expect(seeded.input).toMatchObject({ origin_task_id: grid.task_id })
    const byId = await upscaleFrom(goapi, grid.task_id, '1')
    expect(byId.input).toMatchObject({ origin_task_id: grid.task_id, index: '1' })
  })
})

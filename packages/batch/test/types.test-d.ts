// Public types of @goapi/batch.
import type { GoApiClient } from '@goapi/client'
import { expectTypeOf, it } from 'vitest'
import {
  runBatch,
  type BatchEvent,
  type BatchOptions,
  type BatchResult,
  type BatchRow,
  type RowStatus,
  type RowStore,
} from '../src/index.js'

declare const client: GoApiClient

it('runBatch yields BatchResults and takes rows or requests with a row number', () => {
  const rows: BatchRow[] = [
    { row: 1, request: { model: 'Qubico/flux1-schnell', task_type: 'txt2img', input: { prompt: 'x' } } },
    { row: 2, error: 'not valid JSON' },
  ]
  expectTypeOf(runBatch(client, rows)).toEqualTypeOf<AsyncIterable<BatchResult>>()
  expectTypeOf<BatchResult['status']>().toEqualTypeOf<RowStatus>()
  // @ts-expect-error a row needs a request or an error
  const bad: BatchRow = { row: 3 }
  void bad
})

it('options are typed', () => {
  expectTypeOf<BatchOptions['journal']>().toEqualTypeOf<RowStore | undefined>()
  expectTypeOf<BatchOptions['maxCredits']>().toEqualTypeOf<number | undefined>()
  expectTypeOf<Extract<BatchEvent, { type: 'concurrency' }>['reason']>().toEqualTypeOf<
    'rate-limited' | 'recovered' | 'start'
  >()
  // @ts-expect-error concurrency is a number
  const wrong: BatchOptions = { concurrency: '20' }
  void wrong
})

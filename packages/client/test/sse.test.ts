// sseData: line ends split between chunks, the end of the stream, and the event cap.
import { describe, expect, it } from 'vitest'
import { ResponseTooLargeError, sseData } from '../src/index.js'

const stream = (...chunks: string[]) =>
  new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(new TextEncoder().encode(chunk))
      controller.close()
    },
  })
const all = async (body: ReadableStream<Uint8Array>, max?: number) => {
  const out: string[] = []
  for await (const data of sseData(body, max === undefined ? {} : { maxEventBytes: max })) out.push(data)
  return out
}

describe('sseData', () => {
  it('a CRLF split between two chunks ends one line, not an event', async () => {
    expect(await all(stream('data: a\r', '\ndata: b\r\n\r\n'))).toEqual(['a\nb'])
  })

  it('a lone CR ends a line, and the end of the stream ends the last event', async () => {
    expect(await all(stream('data: a\r\rdata: b'))).toEqual(['a', 'b'])
  })

  it('an event longer than maxEventBytes, ended or not, is a ResponseTooLargeError', async () => {
    await expect(all(stream(`data: ${'x'.repeat(100)}`), 50)).rejects.toBeInstanceOf(ResponseTooLargeError)
    await expect(
      all(stream(...Array.from({ length: 10 }, () => `data: ${'x'.repeat(20)}\n`)), 50),
    ).rejects.toBeInstanceOf(ResponseTooLargeError)
  })
})

import { expect, it } from 'vitest'
import { scrubStream } from '../src/routes.js'

async function through(chunks: string[], secrets: string[]): Promise<string> {
  const encoder = new TextEncoder()
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk))
      controller.close()
    },
  })
  return new Response(scrubStream(body, secrets)).text()
}

it('scrubs a secret split across chunks, byte by byte too, and its URL-encoded form', async () => {
  const key = 'sk/abc+def'
  const text = `a ${key} b ${encodeURIComponent(key)} c`
  expect(await through([text.slice(0, 4), text.slice(4, 9), text.slice(9)], [key])).toBe('a [redacted] b [redacted] c')
  expect(await through([...text], [key])).toBe('a [redacted] b [redacted] c')
  expect(await through(['no secrets here'], [key])).toBe('no secrets here')
})

it('passes binary bytes through unchanged', async () => {
  const bytes = Uint8Array.from({ length: 256 }, (_, i) => i)
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(bytes)
      controller.close()
    },
  })
  const out = new Uint8Array(await new Response(scrubStream(body, ['secret'])).arrayBuffer())
  expect(out).toEqual(bytes)
})

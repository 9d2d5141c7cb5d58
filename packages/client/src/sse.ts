// Server-sent events: the `data` of each event of a response body, for the streamed routes.
import { ResponseTooLargeError } from './errors.js'

export interface SseOptions {
  /** Largest event (its data, or a line not yet ended) in characters; larger: `ResponseTooLargeError`. Default: no limit. */
  maxEventBytes?: number
}

/** The `data` of each server-sent event (multi-line data joined with `\n`; comments and other fields skipped). */
export async function* sseData(
  body: ReadableStream<Uint8Array>,
  options: SseOptions = {},
): AsyncGenerator<string, void, undefined> {
  const reader = body.getReader()
  const decoder = new TextDecoder()
  const max = options.maxEventBytes ?? Infinity
  let buffer = ''
  let data: string[] = []
  let size = 0
  try {
    for (;;) {
      const { value, done } = await reader.read()
      if (done) break
      buffer += decoder.decode(value, { stream: true })
      if (size + buffer.length > max) {
        throw new ResponseTooLargeError(`A server-sent event is larger than ${max} bytes: not read`, {
          limit: 'bytes',
          max,
        })
      }
      let newline: number
      while ((newline = buffer.search(/\r\n|\r|\n/)) >= 0) {
        const line = buffer.slice(0, newline)
        buffer = buffer.slice(newline + (buffer.startsWith('\r\n', newline) ? 2 : 1))
        if (line === '') {
          if (data.length) yield data.join('\n')
          data = []
          size = 0
        } else if (line.startsWith('data:')) {
          data.push(line.slice(line.startsWith('data: ') ? 6 : 5))
          size += line.length
        }
      }
    }
    buffer += decoder.decode()
    if (buffer.startsWith('data:')) data.push(buffer.slice(buffer.startsWith('data: ') ? 6 : 5))
    if (data.length) yield data.join('\n')
  } finally {
    await reader.cancel().catch(() => undefined)
  }
}

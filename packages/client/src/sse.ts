// Server-sent events: the lines of a text stream, and the `data` of each event, for the streamed
// routes and a proxy client's events stream.
import { ResponseTooLargeError } from './errors.js'

export interface SseOptions {
  /** Largest event (its data, or a line not yet ended) in characters; larger: `ResponseTooLargeError`. Default: no limit. */
  maxEventBytes?: number
}

const tooLong = (max: number) =>
  new ResponseTooLargeError(`A server-sent event is larger than ${max} bytes: not read`, { limit: 'bytes', max })

/**
 * The lines of a UTF-8 body, without their ends (CRLF, LF or CR), then one empty line: the end
 * of the stream ends the last line and, as a blank line would, the last event. `check` sees the
 * line not yet ended after each chunk (and may throw to stop). The body is cancelled when the
 * reading stops.
 */
export async function* textLines(
  body: ReadableStream<Uint8Array>,
  check?: (unended: string) => void,
): AsyncGenerator<string> {
  const reader = body.getReader()
  const decoder = new TextDecoder()
  let rest = ''
  try {
    for (let ended = false; !ended;) {
      const { value, done } = await reader.read()
      ended = done
      // A CR as the last character may be half of a CRLF split between chunks: it waits.
      const lines = (rest + (done ? `${decoder.decode()}\n\n` : decoder.decode(value, { stream: true }))).split(
        /\r\n|\n|\r(?!$)/,
      )
      rest = lines.pop() ?? ''
      check?.(rest)
      yield* lines
    }
  } finally {
    await reader.cancel().catch(() => undefined)
  }
}

/** The `data` of each server-sent event (multi-line data joined with `\n`; comments and other fields skipped). */
export async function* sseData(
  body: ReadableStream<Uint8Array>,
  options: SseOptions = {},
): AsyncGenerator<string, void, undefined> {
  const max = options.maxEventBytes ?? Infinity
  let data: string[] = []
  let size = 0
  const limit = (text: string) => {
    if (text.length > max) throw tooLong(max)
  }
  for await (const line of textLines(body, limit)) {
    if (line === '') {
      if (data.length) yield data.join('\n')
      data = []
      size = 0
    } else if (line.startsWith('data:')) {
      data.push(line.slice(line[5] === ' ' ? 6 : 5))
      size += line.length
      if (size > max) throw tooLong(max)
    }
  }
}

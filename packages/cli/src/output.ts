// Everything the CLI prints goes through here: the API key is redacted from every byte written to
// stdout and stderr (whatever produced it), server strings are made printable before they are
// shown, and JSON output escapes the characters a terminal could act on.
import { printable, redact } from '@goapi/client'

/** A server string for a terminal line: no escape sequences, control characters or line breaks. */
export const show = (value: unknown): string => printable(value, 2000)

/** A server's text of several lines (a chat reply, a transcript): each line made printable, the line breaks kept. */
export const showText = (value: unknown): string =>
  String(value)
    .split(/\r\n|\n/)
    .map((line) => printable(line))
    .join('\n')

type Write = typeof process.stdout.write

/**
 * Makes every write to stdout and stderr redact `secrets` (the API key, raw and URL-encoded) for
 * the rest of the process, so no path (summaries, JSON, errors, progress) can print them.
 * Returns a function that restores the plain writes.
 */
export function guardOutput(secrets: Array<string | undefined>): () => void {
  const keys = [...new Set(secrets.filter((s): s is string => typeof s === 'string' && s.length >= 4))]
  if (keys.length === 0) return () => {}
  const scrub = (text: string) => keys.reduce((out, key) => redact(out, key), text)
  const restore: Array<() => void> = []
  for (const stream of [process.stdout, process.stderr]) {
    const original = stream.write
    const guarded = function (this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]): boolean {
      const text =
        typeof chunk === 'string'
          ? chunk
          : chunk instanceof Uint8Array
            ? Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('utf8')
            : String(chunk)
      // An encoding argument no longer applies: the chunk is now a string in UTF-8.
      const args = typeof rest[0] === 'string' ? rest.slice(1) : rest
      return (original as (...a: unknown[]) => boolean).call(this, scrub(text), ...args)
    } as Write
    stream.write = guarded
    restore.push(() => {
      stream.write = original
    })
  }
  return () => restore.forEach((r) => r())
}

// C1 controls, DEL, line separators and bidi overrides are valid raw in JSON strings but a terminal
// may act on them: write them as \u escapes (the JSON value is unchanged). JSON.stringify already
// escapes C0 controls.
const UNSAFE_IN_JSON = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g

/** `value` as pretty JSON that is safe to write to a terminal. */
export function jsonText(value: unknown): string {
  return (JSON.stringify(value, null, 2) ?? 'null').replace(
    UNSAFE_IN_JSON,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  )
}

/** `value` as one line of JSON (for a stream of events), as safe to write to a terminal as {@link jsonText}. */
export function jsonLine(value: unknown): string {
  return (JSON.stringify(value) ?? 'null').replace(
    UNSAFE_IN_JSON,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  )
}

/** A server string as one shell word, for commands we suggest (`goapi task wait <id>`): quoted unless plainly safe. */
export function shellWord(value: unknown): string {
  const text = show(value)
  return /^[A-Za-z0-9._:/=@%+-]+$/.test(text) ? text : `'${text.replaceAll("'", "'\\''")}'`
}

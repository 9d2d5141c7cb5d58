// Answers an operation that keeps no state, from the spec alone: the 200 answer's media type is
// chosen from the request (`stream: true`, `response_format`), and the body is rendered from
// that answer's example, made to depend on the request: a reply derived from the prompt, ids
// derived from the request, URLs pointing at files the simulator serves, real image and audio
// bytes. Server-sent event streams send the example event as the reply grows.
import { createHash } from 'node:crypto'
import type { OutgoingHttpHeaders } from 'node:http'
import { kindOfUrl, mediaFor } from './files/index.js'
import { png } from './files/png.js'
import { seedBytes } from './files/hash.js'
import type { Reply } from './http.js'
import type { MediaAnswer, Operation } from './operations.js'

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

/** Request formats that are answered as JSON. */
const JSON_FORMATS = ['json', 'verbose_json', 'b64_json', 'url']
/** `response_format` values named differently from their media subtype. */
const FORMAT_ALIASES: Record<string, string> = { mp3: 'mpeg' }

/** Picks the 200 answer the request asks for; only media types the simulator can produce. */
export function chooseAnswer(op: Operation, body: unknown): MediaAnswer | undefined {
  const answers = op.answers.filter(
    (a) => a.type === 'application/json' || a.type.startsWith('text/') || mediaFor(a.type) !== undefined,
  )
  const b = isObject(body) ? body : {}
  const stream = answers.find((a) => a.type === 'text/event-stream')
  if (stream && (b.stream === true || answers.length === 1)) return stream
  const format = typeof b.response_format === 'string' ? b.response_format.toLowerCase() : undefined
  if (format) {
    const subtype = FORMAT_ALIASES[format] ?? format
    const exact = answers.find((a) => a.type.split('/')[1] === subtype)
    if (exact) return exact
    if (!JSON_FORMATS.includes(format)) {
      const text = answers.find((a) => a.type === 'text/plain')
      if (text) return text
    }
  }
  return answers.find((a) => a.type !== 'text/event-stream') ?? answers[0]
}

/** The text a request is about: its last message, prompt, input or file. */
export function promptOf(body: unknown): string {
  const texts = (v: unknown, depth = 0): string[] => {
    if (depth > 8) return []
    if (typeof v === 'string') return [v]
    if (Array.isArray(v)) return v.flatMap((x) => texts(x, depth + 1))
    if (isObject(v))
      return ['text', 'content', 'parts', 'prompt', 'gpt_description_prompt', 'input'].flatMap((k) =>
        texts(v[k], depth + 1),
      )
    return []
  }
  if (!isObject(body)) return ''
  const messages = Array.isArray(body.messages) ? body.messages : undefined
  const found = messages
    ? texts(messages.at(-1))
    : ['content', 'prompt', 'input', 'text', 'file', 'file_name', 'file_id', 'clip_id'].flatMap((k) => texts(body[k]))
  return found
    .filter((t) => !t.startsWith('file-service://'))
    .join(' ')
    .replace(/\s+/g, ' ')
    .trim()
}

export function replyTo(prompt: string): string {
  const short = prompt.length > 200 ? `${prompt.slice(0, 200)}…` : prompt
  return short ? `Simulated reply to "${short}".` : 'Simulated reply.'
}

/** A UUID derived from a seed (stable: the same request gets the same ids). */
function uuidFrom(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

export interface RenderInput {
  op: Operation
  body: unknown
  params: Record<string, string>
  /** Stable text identifying the request: the seed of every derived value. */
  seed: string
  /** The simulator's base URL, for the files it serves. */
  baseUrl: string
}

/** The file folder of a stateless answer: derived from the request, so its files need no state. */
export const fileToken = (seed: string) => `o-${createHash('sha256').update(seed).digest('hex').slice(0, 32)}`

/** Renders the example of a JSON answer (or of one event) with `text` as the reply. */
function render(template: unknown, input: RenderInput, text: string): unknown {
  const b = isObject(input.body) ? input.body : {}
  const examples = new Map<unknown, string>()
  for (const p of input.op.parameters)
    if (p.in === 'path' && input.params[p.name] !== undefined) examples.set(p.example, input.params[p.name] ?? '')
  const token = fileToken(input.seed)
  // A request naming its file (the upload route's `file_name`) gets a URL of that kind of file.
  const named = typeof b.file_name === 'string' && /\.[a-z0-9]+$/i.test(b.file_name) ? b.file_name : undefined
  let files = 0
  const count =
    typeof b.n === 'number' && Number.isInteger(b.n) ? b.n : Array.isArray(b.input) ? b.input.length : undefined
  const walk = (value: unknown, key: string, index: number): unknown => {
    if (typeof value === 'string') {
      const param = examples.get(value)
      if (param !== undefined) return param
      if (/^https?:\/\//.test(value)) return `${input.baseUrl}/files/${token}/${files++}.${kindOfUrl(named ?? value)}`
      if (UUID.test(value)) return uuidFrom(`${input.seed}|${value}`)
      if (key === 'b64_json') return png(`${input.seed}|${index}`).toString('base64')
      if (key === 'content' || key === 'text' || key === 'parts') return text
      if (key === 'model' && typeof b.model === 'string') return b.model
      return value
    }
    if (Array.isArray(value)) {
      if (key === 'embedding' && value.every((x) => typeof x === 'number')) {
        const size = typeof b.dimensions === 'number' && b.dimensions > 0 ? Math.min(b.dimensions, 4096) : value.length
        const bytes = seedBytes(`${input.seed}|${index}`, size * 2)
        return Array.from(
          { length: size },
          (_, i) => Math.round(((bytes.readUInt16BE(i * 2) / 65535) * 2 - 1) * 1e6) / 1e6,
        )
      }
      const items =
        key === 'data' && count !== undefined && value.length > 0
          ? Array.from({ length: Math.max(1, Math.min(count, 16)) }, () => value[0])
          : value
      return items.map((v, i) => walk(v, key === 'parts' ? 'parts' : '', i))
    }
    if (isObject(value))
      return Object.fromEntries(
        Object.entries(value).map(([k, v]) => [
          // Maps keyed by id (Suno's clips) keep their keys in step with the ids inside.
          UUID.test(k) ? uuidFrom(`${input.seed}|${k}`) : k,
          k === 'index' && typeof v === 'number' ? index : walk(v, k, index),
        ]),
      )
    return value
  }
  return walk(structuredClone(template), '', 0)
}

/** Splits a reply into the pieces a stream sends. */
function pieces(text: string): string[] {
  const words = text.split(/(?<= )/)
  const size = Math.max(1, Math.ceil(words.length / 4))
  const out: string[] = []
  for (let i = 0; i < words.length; i += size) out.push(words.slice(i, i + size).join(''))
  return out
}

const containsKey = (v: unknown, key: string): boolean =>
  Array.isArray(v)
    ? v.some((x) => containsKey(x, key))
    : isObject(v)
      ? key in v || Object.values(v).some((x) => containsKey(x, key))
      : false

/** The events of a stream: deltas when the example event has a `delta`, else the whole text so far. */
function events(template: unknown, input: RenderInput, text: string): unknown[] {
  const parts = pieces(text)
  const delta = containsKey(template, 'delta')
  const out = parts.map((_, i) => render(template, input, delta ? (parts[i] ?? '') : parts.slice(0, i + 1).join('')))
  // A growing message is `in_progress` until the last event, which is `finished_successfully`;
  // a delta stream ends with an empty delta and `finish_reason: "stop"`.
  const mark = (v: unknown, last: boolean): unknown => {
    if (Array.isArray(v)) return v.map((x) => mark(x, last))
    if (!isObject(v)) return v
    return Object.fromEntries(
      Object.entries(v).map(([k, x]) => [
        k,
        k === 'finish_reason' && last
          ? 'stop'
          : k === 'status' && (x === 'in_progress' || x === 'finished_successfully')
            ? last
              ? 'finished_successfully'
              : 'in_progress'
            : mark(x, last),
      ]),
    )
  }
  if (delta) out.push(render(template, input, ''))
  return out.map((e, i) => mark(e, i === out.length - 1))
}

function transcript(format: string | undefined, text: string): string {
  if (format === 'srt') return `1\n00:00:00,000 --> 00:00:04,000\n${text}\n`
  if (format === 'vtt') return `WEBVTT\n\n00:00:00.000 --> 00:00:04.000\n${text}\n`
  return `${text}\n`
}

/** Renders the answer of a stateless operation. */
export async function answer(input: RenderInput, headers: OutgoingHttpHeaders = {}): Promise<Reply> {
  const chosen = chooseAnswer(input.op, input.body)
  const b = isObject(input.body) ? input.body : {}
  const text = replyTo(promptOf(input.body))
  if (!chosen) return { status: 200, headers, body: Buffer.alloc(0) }
  if (chosen.type === 'text/event-stream') {
    const lines = events(chosen.example, input, text).map((e) => `data: ${JSON.stringify(e)}\n\n`)
    if (input.op.description.includes('[DONE]')) lines.push('data: [DONE]\n\n')
    return {
      status: 200,
      headers: { ...headers, 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' },
      body: Buffer.from(lines.join(''), 'utf8'),
    }
  }
  if (chosen.type === 'application/json')
    return {
      status: 200,
      headers: { ...headers, 'content-type': 'application/json; charset=utf-8' },
      body: Buffer.from(JSON.stringify(render(chosen.example, input, text)), 'utf8'),
    }
  if (chosen.type.startsWith('text/'))
    return {
      status: 200,
      headers: { ...headers, 'content-type': `${chosen.type}; charset=utf-8` },
      body: Buffer.from(
        transcript(typeof b.response_format === 'string' ? b.response_format : undefined, text),
        'utf8',
      ),
    }
  const make = mediaFor(chosen.type)
  return {
    status: 200,
    headers: { ...headers, 'content-type': chosen.type },
    // Binary media (speech) carry the request's own text, not a reply to it.
    body: make ? await make(input.seed, promptOf(input.body)) : Buffer.alloc(0),
  }
}

// The client skips its walks over an answer (redaction of the key, the depth check) only when the
// answer's text proves them needless (`provenPlain`). These servers try to get past that proof: the
// key spelled with JSON escapes (in values and object keys, raw and URL-encoded), bodies one level
// too deep, brackets inside strings. Each answer has a Content-Length (the guard's fast path).
import { afterAll, describe, expect, it } from 'vitest'
import { ResponseTooLargeError, createClient } from '../../src/index.js'
import { provenPlain } from '../../src/internal/http.js'
import { hostile, json, task, type Hostile } from './servers.js'

const KEY = 'sk-escape/Q+7=zz91'
const ENCODED = encodeURIComponent(KEY)

/** Every character of `text` as a `\uXXXX` JSON escape. */
const escaped = (text: string) => [...text].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('')
/** Only the character at `at` escaped. */
const oneEscaped = (text: string, at: number) => text.slice(0, at) + escaped(text.charAt(at)) + text.slice(at + 1)

const servers: Hostile[] = []
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()))
})

/** A client of a server that answers every get with `text` (a JSON text, sent as it is). */
async function answering(text: string, maxResponseDepth?: number) {
  const server = await hostile((_req, res) => json(res, 200, text))
  servers.push(server)
  return createClient({ apiKey: KEY, baseUrl: server.url, maxRetries: 0, maxResponseDepth })
}

const envelope = (data: string) => `{"code":200,"message":"success","data":${data}}`
/** A task whose `error.message`, and the name of one `meta` field, are `spelled`. */
const taskSpelling = (spelled: string) =>
  envelope(
    JSON.stringify(task('t1', 'failed'))
      .replace('"message":""', `"message":"echo ${spelled} end"`)
      .replace('"meta":{}', `"meta":{"${spelled}":1}`),
  )

describe('the key spelled with JSON escapes is still scrubbed', () => {
  const spellings: Array<[string, string]> = [
    ['every character escaped', escaped(KEY)],
    ['one character escaped', oneEscaped(KEY, 3)],
    ['its last character escaped', oneEscaped(KEY, KEY.length - 1)],
    ['its slashes as \\/', KEY.replaceAll('/', '\\/')],
    ['URL-encoded, one character escaped', oneEscaped(ENCODED, 0)],
  ]
  for (const [name, spelled] of spellings) {
    it(name, async () => {
      const text = taskSpelling(spelled)
      expect(JSON.stringify(JSON.parse(text))).toMatch(new RegExp(`${KEY.replace(/[+/]/g, '\\$&')}|${ENCODED}`))
      const goapi = await answering(text)
      const got = await goapi.getTask('t1')
      const shown = JSON.stringify(got)
      expect(shown).not.toContain(KEY)
      expect(shown).not.toContain(ENCODED)
      expect(got.error?.message).toBe('echo [redacted] end')
      expect(Object.keys(got.meta ?? {})).toEqual(['[redacted]'])
    })
  }

  it('escapes that cannot spell the key leave the task as sent', async () => {
    const data = { ...task('t1'), output: { image_url: 'https://img.example/a.png?x=1&y=<2>' } }
    // Go's encoder escapes &, < and > as \u0026, \u003c, \u003e.
    const text = envelope(JSON.stringify(data).replace(/[&<>]/g, (c) => escaped(c)))
    expect(provenPlain(text, KEY, 128)).toBe(true)
    const goapi = await answering(text)
    expect(await goapi.getTask('t1')).toEqual(data)
  })
})

describe('the depth cap holds without the walk', () => {
  const nested = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`

  it('an answer exactly at maxResponseDepth is read', async () => {
    // The envelope and the task are 2 levels: 3 more in `meta` make 5.
    const goapi = await answering(envelope(JSON.stringify(task('t1')).replace('"meta":{}', `"meta":${nested(3)}`)), 5)
    expect((await goapi.getTask('t1')).meta).toEqual({ a: { a: { a: 1 } } })
  })

  it('one level deeper is a ResponseTooLargeError', async () => {
    const goapi = await answering(envelope(JSON.stringify(task('t1')).replace('"meta":{}', `"meta":${nested(4)}`)), 5)
    await expect(goapi.getTask('t1')).rejects.toMatchObject({
      name: ResponseTooLargeError.name,
      limit: 'depth',
      max: 5,
    })
  })

  it('brackets inside strings do not make a shallow answer too deep', async () => {
    const data = task('t1', 'completed', { logs: ['[[[[[[[[{{{{{{{{'] })
    const text = envelope(JSON.stringify(data))
    expect(provenPlain(text, KEY, 5)).toBe(false)
    const goapi = await answering(text, 5)
    expect(await goapi.getTask('t1')).toEqual(data)
  })
})

describe('provenPlain', () => {
  it('proves a plain answer, and nothing with the key or a key character escaped', () => {
    const plain = envelope(JSON.stringify(task('t1')))
    expect(provenPlain(plain, KEY, 128)).toBe(true)
    expect(provenPlain(plain.replace('"x"', `"${KEY}"`), KEY, 128)).toBe(false)
    expect(provenPlain(plain.replace('"x"', `"${ENCODED}"`), KEY, 128)).toBe(false)
    expect(provenPlain(plain.replace('"x"', `"${escaped('k')}"`), KEY, 128)).toBe(false)
    expect(provenPlain(plain.replace('"x"', `"a\\/b"`), KEY, 128)).toBe(false)
    expect(provenPlain(plain.replace('"x"', `"a\\nb\\"c\\\\"`), KEY, 128)).toBe(true)
    // A key too short to be scrubbed (see MIN_SECRET_LENGTH) needs no proof.
    expect(provenPlain(plain.replace('"x"', `"${escaped('abc')}"`), 'abc', 128)).toBe(true)
  })

  it('counts brackets against maxDepth', () => {
    expect(provenPlain('[[[]]]', KEY, 3)).toBe(true)
    expect(provenPlain('[[[[]]]]', KEY, 3)).toBe(false)
    expect(provenPlain('{"a":[{}]}', KEY, 2)).toBe(false)
  })
})

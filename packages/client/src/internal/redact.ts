// Scrubbing the API key from anything the client keeps or prints, without recursion a hostile
// answer could exhaust: every walk below is iterative, with an explicit stack.

const REDACTED = '[redacted]'

/**
 * Shorter strings are not scrubbed: GoAPI's keys are far longer, and scrubbing a short test key
 * such as `k` would corrupt every answer it occurs in (`task_id` → `tas[redacted]_id`).
 */
export const MIN_SECRET_LENGTH = 8

/** The forms of `secret` a server may echo: raw (also inside `Bearer <key>`) and URL-encoded. */
function forms(secret: string): string[] {
  const encoded = encodeURIComponent(secret)
  return encoded === secret ? [secret] : [secret, encoded]
}

function redactString(value: string, secrets: string[]): string {
  let out = value
  for (const s of secrets) if (out.includes(s)) out = out.split(s).join(REDACTED)
  return out
}

/**
 * Replaces every occurrence of a secret (raw, in its `Bearer <key>` form, or URL-encoded) in a
 * string or JSON-like value with `[redacted]`: in strings, in object keys and at any depth. The walk
 * is iterative (a 100k-deep body cannot overflow the stack) and copies what it changes.
 */
export function redact<T>(value: T, secret: string): T {
  if (secret.length < MIN_SECRET_LENGTH) return value
  const secrets = forms(secret)
  if (typeof value === 'string') return redactString(value, secrets) as T
  if (typeof value !== 'object' || value === null) return value
  const copies = new Map<object, unknown>()
  const copyOf = (v: unknown): unknown => {
    if (typeof v === 'string') return redactString(v, secrets)
    if (typeof v !== 'object' || v === null) return v
    const known = copies.get(v)
    if (known !== undefined) return known
    const copy: unknown = Array.isArray(v) ? new Array<unknown>(v.length) : {}
    copies.set(v, copy)
    pending.push([v, copy as Record<string, unknown>])
    return copy
  }
  const pending: Array<[object, Record<string, unknown>]> = []
  const root = copyOf(value)
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [from, to] = next
    if (Array.isArray(from)) {
      for (let i = 0; i < from.length; i++) to[i] = copyOf(from[i])
    } else {
      for (const [k, v] of Object.entries(from)) to[redactString(k, secrets)] = copyOf(v)
    }
  }
  return root as T
}

/** Whether a JSON-like value nests arrays/objects deeper than `maxDepth` (checked without recursion). */
export function nestedDeeperThan(value: unknown, maxDepth: number): boolean {
  if (typeof value !== 'object' || value === null) return false
  const stack: Array<[unknown, number]> = [[value, 1]]
  for (let next = stack.pop(); next; next = stack.pop()) {
    const [v, depth] = next
    if (depth > maxDepth) return true
    for (const child of Array.isArray(v) ? v : Object.values(v as object)) {
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1])
    }
  }
  return false
}

/** A string cut to `max` characters (with a marker), for server text that goes into messages. */
export function clip(value: string, max = 1000): string {
  return value.length > max ? `${value.slice(0, max)}… (${value.length - max} more characters)` : value
}

interface ErrorLike {
  name?: unknown
  message?: unknown
  stack?: unknown
  code?: unknown
  errno?: unknown
  syscall?: unknown
  cause?: unknown
  errors?: unknown
}

/**
 * A scrubbed copy of a foreign error (from `fetch`, a socket, a parser) to keep as a `cause`: only
 * its name, message, stack, `code`, `errno`, `syscall`, `cause` and `errors` survive (never raw
 * bytes such as a parser's `data`), with the secret redacted, at most `maxDepth` causes deep.
 */
export function safeCause(error: unknown, secret: string, maxDepth = 5): unknown {
  if (typeof error !== 'object' || error === null) return typeof error === 'string' ? redact(error, secret) : error
  const copy = (e: ErrorLike, depth: number): Error => {
    const message = typeof e.message === 'string' ? e.message : String(e)
    const out = new Error(redact(message, secret)) as Error & Record<string, unknown>
    if (typeof e.name === 'string') out.name = e.name
    out.stack = typeof e.stack === 'string' ? redact(e.stack, secret) : `${out.name}: ${out.message}`
    if (typeof e.code === 'string' || typeof e.code === 'number') out.code = redact(e.code, secret)
    if (typeof e.errno === 'number') out.errno = e.errno
    if (typeof e.syscall === 'string') out.syscall = e.syscall
    if (depth < maxDepth) {
      if (typeof e.cause === 'object' && e.cause !== null) out.cause = copy(e.cause as ErrorLike, depth + 1)
      if (Array.isArray(e.errors)) {
        out.errors = e.errors
          .slice(0, 10)
          .map((x: unknown) =>
            typeof x === 'object' && x !== null ? copy(x as ErrorLike, depth + 1) : redact(String(x), secret),
          )
      }
    }
    return out
  }
  return copy(error as ErrorLike, 0)
}

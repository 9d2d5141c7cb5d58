/** Replaces every occurrence of a secret (raw or URL-encoded) in a string or JSON-like value with `[redacted]`. */
export function redact<T>(value: T, secret: string): T {
  if (!secret) return value
  if (typeof value === 'string') {
    let out: string = value.split(secret).join('[redacted]')
    const encoded = encodeURIComponent(secret)
    if (encoded !== secret) out = out.split(encoded).join('[redacted]')
    return out as T
  }
  if (Array.isArray(value)) return value.map((v: unknown) => redact(v, secret)) as T
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) out[k] = redact(v, secret)
    return out as T
  }
  return value
}

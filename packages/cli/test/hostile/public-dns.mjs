// Preloaded into the CLI under test (node --import): names ending in `.public.test` resolve to
// 127.0.0.1, the way a public API name resolves to a public address. It lets a test point the CLI
// at an API whose base URL is not loopback by its spelling while the hostile server still runs on
// 127.0.0.1. Every other name resolves as usual.
import dns from 'node:dns'
import { syncBuiltinESMExports } from 'node:module'

const original = dns.lookup
dns.lookup = function lookup(hostname, options, callback) {
  const cb = typeof options === 'function' ? options : callback
  const opts = typeof options === 'function' ? {} : typeof options === 'number' ? { family: options } : (options ?? {})
  if (typeof hostname === 'string' && hostname.endsWith('.public.test')) {
    process.nextTick(() => (opts.all ? cb(null, [{ address: '127.0.0.1', family: 4 }]) : cb(null, '127.0.0.1', 4)))
    return {}
  }
  return original.call(this, hostname, options, callback)
}
syncBuiltinESMExports()

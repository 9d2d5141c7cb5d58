// The typed openapi-fetch client of a GoAPI client, for any route of the spec. A function rather
// than a property of the client, so bundles that never call it do not carry openapi-fetch.
import * as openapiFetch from 'openapi-fetch'
import type { Client } from 'openapi-fetch'
import type { paths } from '@goapi/types'
import type { GoApiClient } from './client.js'
import { ConfigurationError } from './errors.js'
import { guardedFetch } from './internal/guard.js'
import { internalsOf } from './internal/registry.js'

// openapi-fetch's CommonJS build exports createClient as `exports.default`, and our CommonJS build
// requires it with Node's interop (default = module.exports), so unwrap one level there.
type CreateFetchClient = typeof openapiFetch.default

const built = new WeakMap<object, Client<paths>>()

/**
 * The typed openapi-fetch client of `client` (made by `createClient` or `createProxyClient`), for
 * any route of the spec: the API key is set (none for a proxy client), requests go to its first
 * base URL through the same guard (redirect rules, answer cap), with `redirect: 'manual'`. Built
 * on first use, then the same object for that client: its `use(middleware)` applies to every later
 * raw call and route function of the client.
 */
export function rawClient(client: GoApiClient): Client<paths> {
  const known = built.get(client)
  if (known) return known
  const inner = internalsOf(client)
  if (!inner) throw new ConfigurationError('rawClient needs a client made by createClient or createProxyClient.')
  const guarded = guardedFetch(inner.fetch, { apiKey: inner.apiKey, maxBytes: inner.maxResponseBytes })
  const fetchDefault = openapiFetch.default as CreateFetchClient | { default: CreateFetchClient }
  const create = typeof fetchDefault === 'function' ? fetchDefault : fetchDefault.default
  // The key is a default header rather than a middleware: openapi-fetch then skips its middleware
  // machinery when none is given, and middleware still sees the key already set.
  const raw = create<paths>({
    baseUrl: client.baseUrl,
    headers: inner.apiKey ? { 'x-api-key': inner.apiKey } : {},
    redirect: 'manual',
    fetch: (request: Request) => guarded(request),
  })
  built.set(client, raw)
  return raw
}

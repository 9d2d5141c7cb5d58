// What every route of the simulator works with: the spec, the state, the accounts, faults and
// webhooks of one running simulator, and its options.
import type { IncomingMessage } from 'node:http'
import type { Accounts } from './accounts.js'
import type { Faults } from './faults.js'
import { HttpError } from './http.js'
import type { SpecIndex } from './spec.js'
import type { Operation } from './operations.js'
import type { Latency, MockState } from './state.js'
import type { Webhooks } from './webhooks.js'

export interface MockContext {
  spec: SpecIndex
  state: MockState
  accounts: Accounts
  faults: Faults
  webhooks: Webhooks
  /** Largest request body accepted, in bytes. */
  limit: number
  /** Accepted keys; undefined: any non-empty key. */
  keys: Set<string> | undefined
  /** The simulator's base URL (known once it listens). */
  baseUrl(): string
  latencyFor(family: string | undefined): Latency
  /** The spec's operations, the simulator's routes. */
  operations: readonly Operation[]
  /** Writes one line to the simulator's log (silent unless `log` is set). */
  log(line: string): void
}

/** The API key of a request (`x-api-key` or `Authorization: Bearer`); 401 when missing or not accepted. */
export function authenticate(ctx: MockContext, req: IncomingMessage): string {
  const key = req.headers['x-api-key']
  const value = Array.isArray(key) ? key[0] : key
  const bearer = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1]
  const apiKey = value ?? bearer
  if (!apiKey || !apiKey.trim() || (ctx.keys && !ctx.keys.has(apiKey)))
    throw new HttpError(401, 'Unauthorized: the API key is missing or incorrect')
  return apiKey
}

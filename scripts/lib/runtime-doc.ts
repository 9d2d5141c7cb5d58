// The unknown-keys policy (spec/README.md, "Unknown input keys"): GoAPI accepts keys it does not
// document, so the published document must not reject them. spec/ writes request and input
// schemas closed (`additionalProperties: false`): that is what the TypeScript types and the example
// check use, so a typo of a known field stays an error there. The published document opens every
// closed schema and marks it, so runtime validators (Prism, Ajv, the simulator, the CLI) accept
// extra keys and can report them: a key of a marked schema that is not in its `properties` is
// unknown to this spec.
import { isObject, type Json, type JsonObject } from './spec-files.js'

export const UNKNOWN_KEYS = 'x-goapi-unknown-keys'
const DATA = new Set(['example', 'examples', 'default', 'const', 'enum'])

/** A copy of `doc` in which every `additionalProperties: false` is `true` plus `x-goapi-unknown-keys: report`. */
export function openForRuntime(doc: JsonObject): JsonObject {
  const walk = (value: Json): Json => {
    if (Array.isArray(value)) return value.map(walk)
    if (!isObject(value)) return value
    const out: JsonObject = {}
    // Example and value keywords hold data, not schemas: copied as they are.
    for (const [k, v] of Object.entries(value)) out[k] = DATA.has(k) ? v : walk(v)
    if (value.additionalProperties === false) {
      out.additionalProperties = true
      out[UNKNOWN_KEYS] = 'report'
    }
    return out
  }
  return walk(doc) as JsonObject
}

// The bundled spec accepts every real payload of field-evidence.md and still rejects unknown
// models and task types, wrong types and missing required fields.
import { createRequire } from 'node:module'
import { describe, expect, it } from 'vitest'
import { acceptedRoutes, acceptedTasks, rejectedRoutes, rejectedTasks } from './fixtures/evidence.js'
import { specValidator } from './support/spec-validate.js'

const require = createRequire(import.meta.url)
const spec = specValidator(require('@goapi/spec/openapi.json'))

describe('real payloads (field-evidence.md) against the bundled spec', () => {
  it.each(acceptedTasks.map((f) => [f.evidence, f] as const))('accepts: %s', (_e, f) => {
    expect(spec.task(f.body)).toEqual({ ok: true })
  })
  it.each(acceptedRoutes.map((f) => [f.evidence, f] as const))('accepts: %s', (_e, f) => {
    expect(spec.route(f.method, f.path, f.body)).toEqual({ ok: true })
  })
  it.each(rejectedTasks.map((f) => [f.evidence, f] as const))('rejects: %s', (_e, f) => {
    expect(spec.task(f.body).ok).toBe(false)
  })
  it.each(rejectedRoutes.map((f) => [f.evidence, f] as const))('rejects: %s', (_e, f) => {
    expect(spec.route(f.method, f.path, f.body).ok).toBe(false)
  })
})

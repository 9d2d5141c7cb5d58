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

describe('unknown input keys (spec/README.md): accepted by the published spec, marked for reporting', () => {
  const doc = require('@goapi/spec/openapi.json') as {
    components: { schemas: Record<string, { additionalProperties?: unknown; 'x-goapi-unknown-keys'?: string }> }
  }

  it('a create request with an undocumented input key and top-level key validates', () => {
    const body = { model: 'Qubico/flux1-dev', task_type: 'txt2img', input: { prompt: 'x', colour: 'red' }, trace: 1 }
    expect(spec.task(body)).toEqual({ ok: true })
  })

  it('every request and input schema is open and marked, none is closed', () => {
    const schemas = Object.entries(doc.components.schemas)
    const marked = schemas.filter(([, s]) => s['x-goapi-unknown-keys'] === 'report').map(([n]) => n)
    expect(marked).toContain('FluxTxt2imgInput')
    expect(marked).toContain('KlingVideoGenerationRequest')
    expect(schemas.filter(([, s]) => s.additionalProperties === false)).toEqual([])
    for (const name of marked) expect(doc.components.schemas[name]?.additionalProperties).toBe(true)
  })
})

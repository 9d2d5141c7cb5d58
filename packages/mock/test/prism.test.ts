// The same example requests through Prism as a validation proxy in front of the simulator:
// Prism checks each request and the simulator's answer against the bundled spec and reports
// what does not match in `sl-violations`. Zero violations for every operation.
import { spawn, type ChildProcess } from 'node:child_process'
import { createRequire } from 'node:module'
import { createServer } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readOperations, type Operation } from '../src/operations.js'
import { startMock, type MockServer } from '../src/index.js'
import { exampleBodies, exampleCall, validateAnswer } from './support/examples.js'

const require = createRequire(import.meta.url)
const specFile = require.resolve('@goapi/spec/openapi.json')
const prismBin = require.resolve('@stoplight/prism-cli/dist/index.js')
const KEY = 'prism-test-key'

let mock: MockServer
let prism: ChildProcess
let prismUrl = ''

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number }
      srv.close(() => resolve(port))
    })
  })
}

beforeAll(async () => {
  mock = await startMock({ latency: { byFamily: { kling: { pendingMs: 600_000 } } } })
  const port = await freePort()
  prism = spawn(
    process.execPath,
    [prismBin, 'proxy', specFile, mock.url, '--host', '127.0.0.1', '--port', String(port)],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  let output = ''
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8')
      if (output.includes('Prism is listening')) resolve()
    }
    prism.stdout?.on('data', onData)
    prism.stderr?.on('data', onData)
    prism.once('exit', (code) => reject(new Error(`prism exited with ${code}:\n${output}`)))
  })
  prismUrl = `http://127.0.0.1:${port}`
})

afterAll(async () => {
  if (prism && prism.exitCode === null) {
    const exited = new Promise((resolve) => prism.once('exit', resolve))
    prism.kill('SIGTERM')
    await exited
  }
  await mock?.close()
})

let streamBodies = 0
let streamCalls = 0

/**
 * Prism (OpenAPI 3.1) validates a `text/event-stream` body as a whole against the media's
 * schema. Where the spec gives that media the schema of ONE event (an object), every stream
 * fails with "Response body must be object" whatever it holds; the events themselves are
 * validated one by one with Ajv (`validateAnswer`). That one violation is set aside only while
 * the spec models streams that way; any other violation counts.
 */
function streamAware(op: Operation, res: Response, header: string | null): string | null {
  const type = (res.headers.get('content-type') ?? '').split(';')[0]
  const media = op.answers.find((a) => a.type === type)
  const eventSchema = media && type === 'text/event-stream' && mock.spec.at(media.schema)?.type !== 'string'
  if (eventSchema) streamCalls++
  if (!header) return null
  const list = JSON.parse(header) as Array<{ location?: string[]; code?: string }>
  const rest = list.filter((v) => !(eventSchema && v.code === 'type' && v.location?.join('.') === 'response.body'))
  if (rest.length < list.length) streamBodies++
  return rest.length > 0 ? JSON.stringify(rest) : null
}

describe('Prism as a validation proxy in front of the simulator', () => {
  it('reports no violation for any operation of the spec', async () => {
    const ops = readOperations(mock.spec)
    const problems: string[] = []
    let clean = 0
    for (const op of ops) {
      let ok = true
      for (const [i, body] of exampleBodies(mock.spec, op).entries()) {
        const res = await exampleCall(mock, prismUrl, op, KEY, body)
        const violations = streamAware(op, res, res.headers.get('sl-violations'))
        const errors = await validateAnswer(mock.spec, op, res)
        if (violations) problems.push(`${op.route} example ${i}: ${violations}`)
        if (errors.length > 0) problems.push(`${op.route} example ${i}: ${errors.join('; ')}`)
        ok &&= !violations && errors.length === 0
      }
      if (ok) clean++
    }
    expect(problems).toEqual([])
    expect(clean).toBe(ops.length)
    // Only streamed answers (chat with `stream: true`, GPTs conversations) had a violation set aside.
    expect(streamBodies).toBe(streamCalls)
  })
})

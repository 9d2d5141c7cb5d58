#!/usr/bin/env node
// goapi-mock: runs the offline GoAPI simulator until interrupted.
import { parseArgs } from 'node:util'
import { startMock } from './server.js'

const { values } = parseArgs({
  options: {
    port: { type: 'string', short: 'p', default: '4010' },
    host: { type: 'string', default: '127.0.0.1' },
    'pending-ms': { type: 'string', default: '1000' },
    'processing-ms': { type: 'string', default: '3000' },
    key: { type: 'string', multiple: true },
    'webhook-retry-ms': { type: 'string', default: '1000' },
    quiet: { type: 'boolean', short: 'q', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
})

if (values.help) {
  console.log(`Usage: goapi-mock [--port 4010] [--host 127.0.0.1] [--pending-ms 1000] [--processing-ms 3000] [--key KEY ...] [--webhook-retry-ms 1000] [--quiet]

Runs an offline GoAPI simulator. Point a client at it with baseUrl http://HOST:PORT.
Without --key any non-empty x-api-key is accepted. Put ${'[goapi-mock:fail]'} in a prompt to make a task fail.
Faults on demand: POST /__admin/faults {"route":"GET /api/v1/task/:id","status":503,"times":2};
DELETE /__admin/faults clears them; GET /__admin/state shows tasks, faults and accounts.
Logs one line per request unless --quiet.`)
  process.exit(0)
}

const mock = await startMock({
  port: Number(values.port),
  host: values.host,
  latency: { pendingMs: Number(values['pending-ms']), processingMs: Number(values['processing-ms']) },
  keys: values.key,
  webhook: { retryDelayMs: Number(values['webhook-retry-ms']) },
  log: values.quiet ? undefined : (line) => console.log(line),
})
console.log(`GoAPI simulator listening on ${mock.url}`)
const stop = () => {
  void mock.close().then(() => process.exit(0))
}
process.on('SIGINT', stop)
process.on('SIGTERM', stop)

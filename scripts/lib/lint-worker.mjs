// Redocly's lint of one root document, in a worker thread started by `lint` in lib/spec-files.ts:
// on two cores it runs beside the main thread's bundle, validation and emit. Plain JavaScript, so it
// starts the same under tsx and under scripts/run.mjs. Posts one plain record per problem.
import { parentPort, workerData } from 'node:worker_threads'
import { lint, loadConfig } from '@redocly/openapi-core'

/** @type {{ ref: string, configPath: string }} */
const { ref, configPath } = workerData
const problems = await lint({ ref, config: await loadConfig({ configPath }) })
parentPort?.postMessage(
  problems.map((p) => ({
    severity: p.severity,
    ruleId: p.ruleId,
    message: p.message,
    file: p.location[0]?.source.absoluteRef,
    pointer: p.location[0]?.pointer,
  })),
)

// Redocly's lint of one root document, in a worker thread started by `lint` in lib/spec-files.ts:
// on two cores it runs beside the main thread's bundle, validation and emit. Plain JavaScript, so it
// starts the same under tsx and under scripts/run.mjs. Posts one plain record per problem.
import { parentPort, workerData } from 'node:worker_threads'
import { lint, loadConfig } from '@redocly/openapi-core'

/** @type {{ ref: string, configPath: string }} */
const { ref, configPath } = workerData
const config = await loadConfig({ configPath })
const problems = (await lint({ ref, config })).map((p) => ({
  severity: p.severity,
  ruleId: p.ruleId,
  message: p.message,
  file: p.location[0]?.source.absoluteRef,
  pointer: p.location[0]?.pointer,
}))
// The generator validates examples only against the published document: against the schemas as
// written, these rules do (lib/validate.ts), so they must stay errors.
for (const ruleId of ['no-invalid-schema-examples', 'no-invalid-media-type-examples'])
  if (config.getRuleSettings(ruleId, 'oas3_1').severity !== 'error')
    problems.push({
      severity: 'error',
      ruleId,
      message: 'must be an error in spec/redocly.yaml: the generator relies on it to validate every example',
      file: configPath,
      pointer: undefined,
    })
parentPort?.postMessage(problems)

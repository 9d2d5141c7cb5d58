// `pnpm generate`: spec/ → packages/spec (bundled document), packages/types (generated types and
// task catalog) and the generated parts of every family package.
//
//   pnpm generate                 bundle, lint, validate, write every generated file that changed
//   pnpm generate --check         the same, but fail if any committed file differs (writes nothing)
//   pnpm generate --family FILE   check one family file on its own (writes nothing)
//
// `pnpm generate` is `node scripts/run.mjs scripts/generate.ts`; `tsx scripts/generate.ts` runs the
// same code, with a slower start.
import { rm } from 'node:fs/promises'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { bundle, familyPrefix, lint, readFamilies, SPEC_DIR, isObject, schemaRefName } from './lib/spec-files.js'
import { checkExamples, validateBundle } from './lib/validate.js'
import { openForRuntime } from './lib/runtime-doc.js'
import { emitAll } from './lib/emit.js'
import { syncGenerated } from './lib/generated.js'
import { collectOperations } from './lib/operations.js'

/**
 * `GOAPI_TIMINGS=1`: each phase's wall and CPU seconds on stderr (the benchmark reads them). CPU is
 * the process's, all threads: while lint runs in its worker, the phases beside it include its CPU.
 */
const timings: string[] = []
async function phase<T>(name: string, work: () => Promise<T> | T): Promise<T> {
  const cpu = process.cpuUsage()
  const wall = performance.now()
  try {
    return await work()
  } finally {
    const used = process.cpuUsage(cpu)
    timings.push(
      `${name} ${((performance.now() - wall) / 1000).toFixed(2)} s wall ${((used.user + used.system) / 1e6).toFixed(2)} s cpu`,
    )
  }
}

const { values } = parseArgs({ options: { check: { type: 'boolean', default: false }, family: { type: 'string' } } })

async function checkFamily(file: string): Promise<void> {
  const { writeFamilyCheckRoot } = await import('./lib/spec-files.js')
  const [family] = await readFamilies(file)
  if (!family) throw new Error(`no family in ${file}`)
  const prefix = familyPrefix(family)
  const root = await writeFamilyCheckRoot(family)
  try {
    console.log(await lint(root))
    const doc = await bundle(root)
    const { errors, tasks } = validateBundle(doc, [family])
    const examples = checkExamples(openForRuntime(doc), prefix ? `${prefix}TaskRequest` : '')
    errors.push(...examples.errors)
    for (const t of tasks)
      console.log(
        `  ${t.functionName.padEnd(28)} ${t.taskType.padEnd(28)} ${t.models.join(', ')} → ${t.output} (${t.kind})`,
      )
    console.log(`${family.file}: ${tasks.length} task types, ${examples.examplesChecked} examples checked`)
    if (errors.length > 0) {
      for (const e of errors) console.error(`error: ${e}`)
      throw new Error(`${errors.length} error(s) in ${family.file}`)
    }
  } finally {
    await rm(root, { force: true })
  }
}

async function generate(check: boolean): Promise<void> {
  const rootFile = path.join(SPEC_DIR, 'openapi.yaml')
  // Lint runs in a worker thread beside everything up to the comparison. Its result is awaited before
  // any other spec error is reported (lint errors come first, as when it ran first) and before any
  // file is compared or written.
  const linting = phase('lint (worker)', () => lint(rootFile))
  linting.catch(() => undefined) // awaited below; this only keeps an early failure from going unhandled
  const fail = async (errors: string[]): Promise<never> => {
    await linting
    for (const e of errors) console.error(`error: ${e}`)
    throw new Error(`${errors.length} spec error(s)`)
  }
  const families = await phase('read', () => readFamilies())
  const doc = await phase('bundle', () => bundle(rootFile))
  const schemas = isObject(doc.components) && isObject(doc.components.schemas) ? doc.components.schemas : {}
  const { errors, tasks } = await phase('validate', () => validateBundle(doc, families))
  for (const family of families) {
    const prefix = familyPrefix(family)
    if (prefix && !(`${prefix}TaskRequest` in schemas))
      errors.push(`${family.file}: ${prefix}TaskRequest is not referenced from unified.yaml CreateTaskRequest`)
    if (prefix && !(`${prefix}TaskOutput` in schemas))
      errors.push(`${family.file}: ${prefix}TaskOutput is not referenced from unified.yaml TaskOutput`)
    // Every output a task of the family can complete with (default and variants) is in its union.
    const union = prefix ? schemas[`${prefix}TaskOutput`] : undefined
    const listed = new Set(
      [...(isObject(union) && Array.isArray(union.anyOf) ? union.anyOf : []), union ?? null].map(
        (s) => schemaRefName(s) ?? '',
      ),
    )
    for (const t of tasks.filter((t) => t.family === family.name))
      for (const o of [t.output, ...t.variants.map((v) => v.output)])
        if (prefix && !listed.has(o))
          errors.push(`${family.file}: ${o} (output of ${t.request}) is not in ${prefix}TaskOutput`)
    // The README's example: the declared flagship task function (required when there are several).
    const own = tasks.filter((t) => t.family === family.name).map((t) => t.functionName)
    if (family.flagship !== undefined && !own.includes(family.flagship))
      errors.push(
        `${family.file}: x-goapi-family.flagship ${family.flagship} is not a task function of the family (${own.join(', ')})`,
      )
    if (family.flagship === undefined && own.length > 1)
      errors.push(
        `${family.file}: x-goapi-family.flagship must name the task function its README shows (one of ${own.join(', ')})`,
      )
    const paths = isObject(doc.paths) ? doc.paths : {}
    for (const p of family.pathNames)
      if (!(p in paths)) errors.push(`${family.file}: path ${p} is not referenced from spec/openapi.yaml`)
    const hooks = isObject(doc.webhooks) ? doc.webhooks : {}
    for (const w of family.webhookNames)
      if (!(w in hooks)) errors.push(`${family.file}: webhook ${w} is not referenced from spec/openapi.yaml`)
  }
  // From here on a family's schemas are those the bundle publishes (a schema nothing references is
  // left out of the bundle, so it is not part of the family's API).
  const published = families.map((f) => ({ ...f, schemaNames: f.schemaNames.filter((n) => n in schemas) }))
  const { operations, errors: operationErrors } = collectOperations(doc, published, tasks)
  errors.push(...operationErrors)
  if (errors.length > 0) await fail(errors)
  // The published document accepts unknown keys (spec/README.md, "Unknown input keys"): every
  // example must validate against it too (lint validated them as written; see lib/validate.ts), so
  // opening it never made two request shapes overlap.
  const runtime = openForRuntime(doc)
  const { errors: exampleErrors, examplesChecked } = await phase('examples', () =>
    checkExamples(runtime, 'CreateTaskRequest'),
  )
  for (const e of exampleErrors) errors.push(`published document: ${e}`)
  if (errors.length > 0) await fail(errors)
  const files = await phase('emit', () => emitAll(doc, runtime, published, tasks, operations))
  const report = await phase('lint wait', () => linting)
  if (process.env.GOAPI_VERBOSE) console.log(report)
  const { stale, formatted, written } = await phase('compare', () => syncGenerated(files, !check))
  console.log(
    `spec: ${families.length} families, ${tasks.length} task types, ${operations.length} routes, ${examplesChecked} examples valid, lint clean; ${files.size} generated files (${formatted} formatted)`,
  )
  if (stale.length > 0) {
    console.error(
      `Generated files are out of date with spec/ (run \`pnpm generate\` and commit):\n  ${stale.join('\n  ')}`,
    )
    process.exitCode = 1
  } else if (!check) console.log(`generated files written: ${written.length > 0 ? written.join(', ') : 'none changed'}`)
  else console.log('generated files are up to date')
}

if (process.env.GOAPI_TIMINGS) {
  // From the process's start: esbuild's bundle (scripts/run.mjs) or tsx, and loading the modules.
  const cpu = process.cpuUsage()
  timings.push(
    `startup ${(performance.now() / 1000).toFixed(2)} s wall ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s cpu`,
  )
}
try {
  if (values.family) await checkFamily(values.family)
  else await generate(values.check ?? false)
} catch (error) {
  console.error(error instanceof Error ? error.message : error)
  process.exitCode = 1
}
if (process.env.GOAPI_TIMINGS) {
  const cpu = process.cpuUsage()
  timings.push(
    `total ${(performance.now() / 1000).toFixed(2)} s wall ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s cpu (process, from its start)`,
  )
  console.error(timings.join('\n'))
}

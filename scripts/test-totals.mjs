// Runs every package's tests (turbo, all packages even after a failure) with a vitest JSON report
// per package, then prints the totals: passed/failed/skipped per package and overall, ending with
// the line `N passed, N failed`. Exits non-zero when any test (or test run) failed.
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'

const REPORT = '.vitest-report.json'
const root = join(import.meta.dirname, '..')
const packages = readdirSync(join(root, 'packages'))
  .map((dir) => ({ dir: join(root, 'packages', dir), file: join(root, 'packages', dir, 'package.json') }))
  .filter((p) => existsSync(p.file))
  .map((p) => ({ ...p, json: JSON.parse(readFileSync(p.file, 'utf8')) }))
  .filter((p) => p.json.scripts?.test)

// A report left from an earlier run must not count: turbo restores it from its cache when the tests are cached.
for (const p of packages) rmSync(join(p.dir, REPORT), { force: true })

const turbo = join(root, 'node_modules', '.bin', process.platform === 'win32' ? 'turbo.cmd' : 'turbo')
const run = spawnSync(
  turbo,
  [
    'run',
    'test',
    '--concurrency=3',
    '--output-logs=errors-only',
    '--continue',
    // Extra arguments (a --filter) go to turbo.
    ...process.argv.slice(2),
    '--',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${REPORT}`,
  ],
  { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' },
)

if (run.error) console.error(`Could not run turbo: ${run.error.message}`)

let passed = 0
let failed = 0
let skipped = 0
const rows = []
const missing = []
for (const p of packages.sort((a, b) => a.json.name.localeCompare(b.json.name))) {
  const path = join(p.dir, REPORT)
  if (!existsSync(path)) {
    missing.push(p.json.name)
    continue
  }
  const report = JSON.parse(readFileSync(path, 'utf8'))
  const skip = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0)
  // A file that failed to load has no test in the counts: count it as a failure.
  const broken = (report.testResults ?? []).filter(
    (r) => r.status === 'failed' && r.assertionResults?.length === 0,
  ).length
  const fail = (report.numFailedTests ?? 0) + broken
  passed += report.numPassedTests ?? 0
  failed += fail
  skipped += skip
  rows.push([p.json.name, String(report.numPassedTests ?? 0), String(fail), String(skip)])
}
const header = ['PACKAGE', 'PASSED', 'FAILED', 'SKIPPED']
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)))
const line = (cells) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ')
console.log(`\nTest totals\n${[header, ...rows].map(line).join('\n')}`)
// Without a report: not selected (a --filter), or, when the run failed, a test run that broke before reporting.
if (run.status !== 0 && missing.length > 0)
  console.log(`No test report (the test run failed before reporting): ${missing.join(', ')}`)
else missing.length = 0
if (skipped > 0) console.log(`${skipped} skipped`)
// Packages without a report failed to run: each counts as one failure.
failed += missing.length
console.log(`${passed} passed, ${failed} failed`)
process.exitCode = run.status === 0 && failed === 0 ? 0 : 1

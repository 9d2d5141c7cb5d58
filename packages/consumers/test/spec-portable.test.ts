// The published spec files (from the packed @goapi/spec) read the same everywhere: openapi.yaml and
// openapi-3.0.yaml parse to exactly their JSON twins under YAML 1.1 (PyYAML, the machine's Python)
// and YAML 1.2 (the `yaml` package), and the 3.0.3 copy is loaded and validated by a consumer that
// reads only OpenAPI 3.0, Go's kin-openapi (Debian's golang-github-getkin-kin-openapi-dev), which
// also validates a create request and the simulator's answers against it.
import { mkdtemp, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'
import { beforeAll, describe, expect, inject, it } from 'vitest'
import { run } from './shared.js'

const appDir = inject('appDir')
const mockUrl = inject('mockUrl')
const specDir = join(appDir, 'node_modules/@goapi/spec')
const PAIRS = [
  ['openapi.yaml', 'openapi.json'],
  ['openapi-3.0.yaml', 'openapi-3.0.json'],
] as const

const readJson = async (file: string): Promise<unknown> => JSON.parse(await readFile(join(specDir, file), 'utf8'))

describe('YAML 1.1 and 1.2 readers parse the published YAML to its JSON twin', () => {
  it.each(PAIRS)('PyYAML (YAML 1.1) reads %s as %s', async (yamlFile, jsonFile) => {
    const script = [
      'import json, sys, yaml',
      'with open(sys.argv[1]) as f: doc = yaml.safe_load(f)',
      'with open(sys.argv[2]) as f: expected = json.load(f)',
      'print("same" if doc == expected else "different")',
    ].join('\n')
    const r = await run('python3', ['-c', script, join(specDir, yamlFile), join(specDir, jsonFile)], { cwd: specDir })
    expect(r.stderr).toBe('')
    expect(r.stdout.trim()).toBe('same')
  })

  it.each(PAIRS)('the yaml package (YAML 1.1 and 1.2) reads %s as %s', async (yamlFile, jsonFile) => {
    const text = await readFile(join(specDir, yamlFile), 'utf8')
    const expected = await readJson(jsonFile)
    expect(parse(text, { version: '1.2' })).toEqual(expected)
    expect(parse(text, { version: '1.1' })).toEqual(expected)
  })

  it('PyYAML reads the values a YAML 1.1 reader would turn into numbers or dates as strings', async () => {
    const script = [
      'import sys, yaml',
      'with open(sys.argv[1]) as f: doc = yaml.safe_load(f)',
      's = doc["components"]["schemas"]',
      'print(s["KlingVideoGenerationInput"]["properties"]["aspect_ratio"]["enum"])',
    ].join('\n')
    const r = await run('python3', ['-c', script, join(specDir, 'openapi.yaml')], { cwd: specDir })
    expect(r.stdout.trim()).toBe("['16:9', '9:16', '1:1']")
  })
})

describe('OpenAPI 3.0 consumer: Go kin-openapi', () => {
  let binary: string
  beforeAll(async () => {
    const dir = await mkdtemp(join(tmpdir(), 'goapi-kin-'))
    binary = join(dir, 'kin-check')
    const source = fileURLToPath(new URL('../go/main.go', import.meta.url))
    // Offline GOPATH build against Debian's packaged sources (scripts/ensure-test-tools.sh installs them).
    const r = await run('go', ['build', '-o', binary, source], {
      cwd: dir,
      env: { GO111MODULE: 'off', GOPATH: `${dir}:/usr/share/gocode`, GOCACHE: join(dir, 'cache'), GOFLAGS: '' },
    })
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
  }, 240_000)

  it.each(['openapi-3.0.json', 'openapi-3.0.yaml'])(
    'loads and validates %s, a create request, and the simulator’s create and completed answers',
    async (file) => {
      const r = await run(binary, [join(specDir, file), mockUrl, 'kin-test-key'], { cwd: specDir })
      expect(r.stderr).toBe('')
      expect(r.code).toBe(0)
      expect(JSON.parse(r.stdout)).toMatchObject({
        openapi: '3.0.3',
        createValid: true,
        wrongRejected: true,
        unknownKeyPassed: true,
        createAnswer: true,
        completedAnswer: true,
        completedStatus: 'completed',
      })
    },
  )

  it('the 3.1 document is not loadable by it (why the 3.0 copy exists)', async () => {
    const r = await run(binary, [join(specDir, 'openapi.json'), mockUrl, 'kin-test-key'], { cwd: specDir })
    expect(r.code).not.toBe(0)
  })
})

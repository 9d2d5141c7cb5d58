/**
 * `pnpm run docs`: builds the human documentation into `docs-site/` (gitignored).
 *
 * - `reference/index.html`: the HTML API reference of `packages/spec/openapi.json`, one static file
 *   with Redoc inlined (Redocly `build-docs`), so it opens offline.
 * - `api/`: typedoc API docs of `@goapi/client`, `@goapi/types`, `@goapi/mock` and every family
 *   package, read from their `src/index.ts` (the packages must be built, as `pnpm run docs` does first:
 *   cross-package types resolve through their declaration files).
 * - `index.html`: links to both.
 *
 * `tsx scripts/docs.ts --out <dir>` writes elsewhere (the docs test builds into a temp folder).
 */
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { Application, Converter, DeclarationReflection, LogLevel, OptionDefaults, ReflectionKind } from 'typedoc'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')

interface Catalog {
  families: { name: string; title: string }[]
}

/** The TypeScript packages typedoc documents: the core ones, then every family package. */
export async function documentedPackages(): Promise<string[]> {
  const catalog = JSON.parse(await readFile(join(root, 'packages/spec/catalog.json'), 'utf8')) as Catalog
  const families = catalog.families
    .map((f) => f.name)
    .filter((name) => existsSync(join(root, 'packages', name, 'src/index.ts')))
  return ['client', 'types', 'mock', ...families]
}

async function buildReference(out: string): Promise<void> {
  const file = join(out, 'reference/index.html')
  const result = spawnSync(
    join(root, 'node_modules/.bin/redocly'),
    [
      'build-docs',
      join(root, 'packages/spec/openapi.json'),
      '--inlineBundle',
      '--title',
      'GoAPI API reference',
      '--output',
      file,
    ],
    {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
    },
  )
  if (result.status !== 0 || !existsSync(file)) {
    throw new Error(`redocly build-docs failed (exit ${result.status}):\n${result.stdout}\n${result.stderr}`)
  }
}

/** The front page of the typedoc site: every documented package with its description. */
async function indexReadme(packages: string[]): Promise<string> {
  const rows = await Promise.all(
    packages.map(async (p) => {
      const pkg = JSON.parse(await readFile(join(root, 'packages', p, 'package.json'), 'utf8')) as {
        name: string
        description: string
      }
      return `| \`${pkg.name}\` | ${pkg.description.replaceAll('|', '\\|').replaceAll('\n', ' ')} |`
    }),
  )
  return [
    'The TypeScript API of every package, generated from its sources. The HTTP API itself is described',
    'in the API reference next to this folder (`reference/index.html`, built from `@goapi/spec`); how',
    'to install and use the SDK is in the repository README. The generated `components`, `paths`,',
    '`operations` and `webhooks` of `@goapi/types` are listed without members here: every schema and',
    'route they hold is in the API reference.',
    '',
    '| package | what it is |',
    '| --- | --- |',
    ...rows,
    '',
  ].join('\n')
}

const openapiInterfaces = ['components', 'paths', 'operations', 'webhooks']

async function buildTypedoc(out: string): Promise<void> {
  const packages = await documentedPackages()
  // One TypeScript program for all packages (much faster than one per package): a throwaway
  // tsconfig listing each package's entry point.
  const tmp = await mkdtemp(join(tmpdir(), 'goapi-docs-'))
  const tsconfig = join(tmp, 'tsconfig.json')
  const entries = packages.map((p) => join(root, 'packages', p, 'src/index.ts'))
  const readme = join(tmp, 'README.md')
  await writeFile(readme, await indexReadme(packages))
  await writeFile(
    tsconfig,
    JSON.stringify({ extends: join(root, 'tsconfig.base.json'), files: entries, compilerOptions: { types: ['node'] } }),
  )
  try {
    const app = await Application.bootstrapWithPlugins({
      name: 'GoAPI TypeScript SDK',
      entryPoints: entries,
      tsconfig,
      readme,
      navigation: { includeFolders: false, includeCategories: false, includeGroups: false },
      out: join(out, 'api'),
      logLevel: LogLevel.Warn,
      // The generated unions reference the spec's schema types (`components['schemas'][...]`),
      // which live in @goapi/types' `components`; listing each as a warning would hide real ones.
      validation: {
        notExported: false,
        invalidLink: true,
        notDocumented: false,
        rewrittenLink: true,
        unusedMergeModuleWith: true,
      },
      // openapi-typescript writes `@description` and `@constant` into the generated types.
      blockTags: [...OptionDefaults.blockTags, '@description', '@constant'],
      excludePrivate: true,
      excludeInternal: true,
      hideGenerator: true,
      skipErrorChecking: true,
    })
    // Name each module after its package (`@goapi/client`), not its path (`client/src`).
    app.converter.on(Converter.EVENT_CREATE_DECLARATION, (_context, reflection) => {
      if (!reflection.kindOf(ReflectionKind.Module)) return
      const dir = reflection.name.split('/')[0]
      if (dir && packages.includes(dir)) reflection.name = `@goapi/${dir}`
    })
    // openapi-typescript's `components`, `paths`, `operations` and `webhooks` hold every schema and
    // route of the spec (pages of many megabytes); the HTTP reference shows those, so typedoc lists
    // the interfaces without their members.
    app.converter.on(Converter.EVENT_RESOLVE_BEGIN, (context) => {
      for (const reflection of context.project.getReflectionsByKind(ReflectionKind.Interface)) {
        if (!(reflection instanceof DeclarationReflection)) continue
        if (reflection.parent?.name !== '@goapi/types' || !openapiInterfaces.includes(reflection.name)) continue
        for (const child of [...(reflection.children ?? [])]) context.project.removeReflection(child)
      }
    })
    const project = await app.convert()
    if (!project || app.logger.hasErrors()) throw new Error('typedoc failed to convert the packages')
    await app.generateDocs(project, join(out, 'api'))
    if (app.logger.hasErrors()) throw new Error('typedoc failed to write the docs')
  } finally {
    await rm(tmp, { recursive: true, force: true })
  }
}

const indexHtml = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>GoAPI TypeScript SDK documentation</title>
  </head>
  <body>
    <h1>GoAPI TypeScript SDK documentation</h1>
    <ul>
      <li><a href="reference/index.html">HTTP API reference</a> (from <code>@goapi/spec</code>)</li>
      <li><a href="api/index.html">TypeScript API</a> (<code>@goapi/client</code>, <code>@goapi/types</code>, <code>@goapi/mock</code> and the family packages)</li>
    </ul>
  </body>
</html>
`

export async function buildDocs(out: string): Promise<void> {
  await rm(out, { recursive: true, force: true })
  await mkdir(join(out, 'reference'), { recursive: true })
  await buildReference(out)
  await buildTypedoc(out)
  await writeFile(join(out, 'index.html'), indexHtml)
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { out: { type: 'string', default: join(root, 'docs-site') } } })
  const out = resolve(values.out)
  const started = performance.now()
  await buildDocs(out)
  console.log(`docs written to ${out} in ${((performance.now() - started) / 1000).toFixed(1)} s`)
}

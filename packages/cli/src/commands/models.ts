// goapi models [family]: families, models, task types and input fields, from the spec's catalog.
import { CliError, EXIT } from '../errors.js'
import { table } from '../format.js'
import { didYouMean } from '../suggest.js'
import { familyModels, inputFields, spec } from '../spec.js'

export function modelsCommand(family: string | undefined, options: { json: boolean }): number {
  const { catalog } = spec()
  if (!family) {
    if (options.json) {
      process.stdout.write(
        `${JSON.stringify(
          catalog.families.map((f) => ({
            name: f.name,
            title: f.title,
            models: familyModels(f.name),
            taskTypes: [...new Set(catalog.tasks.filter((t) => t.family === f.name).map((t) => t.taskType))],
          })),
          null,
          2,
        )}\n`,
      )
      return EXIT.ok
    }
    const rows = catalog.families.map((f) => [
      f.name,
      f.title,
      familyModels(f.name).join(', '),
      [...new Set(catalog.tasks.filter((t) => t.family === f.name).map((t) => t.taskType))].join(', '),
    ])
    process.stdout.write(
      `${table(['FAMILY', 'TITLE', 'MODELS', 'TASK TYPES'], rows)}\n\nDetails and input fields: goapi models <family>\n`,
    )
    return EXIT.ok
  }
  const info = catalog.families.find((f) => f.name === family)
  if (!info)
    throw new CliError(
      `Unknown family "${family}".${didYouMean(
        family,
        catalog.families.map((f) => f.name),
      )} Families: ${catalog.families.map((f) => f.name).join(', ')}`,
      EXIT.usage,
    )
  const tasks = catalog.tasks.filter((t) => t.family === family)
  if (options.json) {
    process.stdout.write(
      `${JSON.stringify({ ...info, tasks: tasks.map((t) => ({ ...t, fields: inputFields(t) })) }, null, 2)}\n`,
    )
    return EXIT.ok
  }
  const out: string[] = [`${info.title} (${info.name})`, '', info.description.trim(), '']
  for (const t of tasks) {
    out.push(`${t.taskType}  [${t.kind}]  ${t.models.join(', ')}`)
    out.push(`  ${t.summary}`)
    out.push(
      `  goapi run ${family} ${t.function === camel(t.taskType) || tasks.filter((x) => x.taskType === t.taskType).length === 1 ? t.taskType : t.function} ...`,
    )
    const fields = inputFields(t)
    if (fields.length > 0) {
      const rows = fields.map((f) => [
        `    ${f.name}${f.required ? '*' : ''}`,
        f.type,
        f.values
          ? `${f.values.map((v) => JSON.stringify(v)).join(' | ')}${f.open ? ' | other' : ''}`
          : clip(f.description, 90),
      ])
      out.push(table(['    INPUT (* required)', 'TYPE', 'VALUES / DESCRIPTION'], rows))
    }
    out.push('')
  }
  process.stdout.write(`${out.join('\n')}`)
  return EXIT.ok
}

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text)

const camel = (s: string) => s.replace(/[-_.]+([a-z0-9])/gi, (_m, c: string) => c.toUpperCase())

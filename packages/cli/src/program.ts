// The command tree (commander) and the one place errors become messages and exit codes.
import { createRequire } from 'node:module'
import { Command, CommanderError, Option } from 'commander'
import { APIError, GoApiError } from '@goapi/client'
import type { GlobalOptions } from './backend.js'
import { CliError, EXIT } from './errors.js'
import { guardOutput, show } from './output.js'
import { accountCommand, accountHistory, uploadCommand } from './commands/account.js'
import { batchCommand } from './commands/batch-program.js'
import { modelsCommand } from './commands/models.js'
import { mockCommand } from './commands/mock.js'
import { routeCommands } from './commands/routes.js'
import { runCommand, type RunOptions } from './commands/run.js'
import { taskCancel, taskGet, taskWait, tasksCancel } from './commands/task.js'

const collect = (value: string, previous: string[]) => [...previous, value]

/** The download flags shared by `run` and `task wait`. */
function downloadOptions(cmd: Command): Command {
  return cmd
    .option(
      '--overwrite',
      'replace existing files of the same name (never through a symlink); default: pick name-2, name-3, ...',
    )
    .option('--max-file-size <size>', 'largest file saved, e.g. 500MB or 2GiB (default 2GiB)')
    .option('--download-timeout <seconds>', 'total time per file (default 1800)')
    .option('--download-idle-timeout <seconds>', 'longest silence of a download connection (default 30)')
    .option(
      '--allow-private-downloads',
      'allow file URLs on loopback, private or link-local addresses (automatic when the API itself is on one, as the simulator is)',
    )
}

export function createProgram(setExit: (code: number) => void): Command {
  const program = new Command('goapi')
    .description(
      'Run GoAPI tasks from the terminal. Without GOAPI_API_KEY (or with --offline) commands use a built-in simulator.',
    )
    .version(VERSION)
    .option('--offline', 'use the built-in simulator even when GOAPI_API_KEY is set')
    .option('--base-url <url>', 'API base URL (default: GOAPI_BASE_URL or https://api.goapi.ai)')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .addHelpText(
      'after',
      `
Environment:
  GOAPI_API_KEY   your API key (read from the environment only; never printed)
  GOAPI_BASE_URL  API base URL

Exit codes: 0 success, 1 failed task or API error, 2 invalid usage or input, 130 interrupted.`,
    )
  const globals = (cmd: Command) => cmd.optsWithGlobals<GlobalOptions>()

  const run = program
    .command('run')
    .description('create a task, show its progress, save its output files and print a summary')
    .argument('<family|model>', 'a family (flux) or a model (Qubico/flux1-dev)')
    .argument('[task_type]', 'a task type (txt2img) or, for a family, a function name (turboVideoGeneration)')
    .option('-p, --prompt <text>', 'sets input.prompt')
    .option('-i, --input <key=value>', 'sets an input field (dots for nested keys; repeatable)', collect, [])
    .option(
      '-f, --input-file <file>',
      'a .json file with the input object, or a .jsonl file with one input per line (batch)',
    )
    .option('-m, --model <model>', "the family's model to use (default: its first)")
    .option('--config <json>', 'task config as JSON, e.g. \'{"service_mode":"public"}\'')
    .option('-o, --out <dir>', 'where to save files (default ./goapi-output/<task_id>/)')
    .option('-c, --concurrency <n>', 'tasks run at once in a batch', '4')
    .option('--no-wait', 'only create the task and print its id')
    .option('--no-download', 'do not save output files')
    .option('--no-validate', 'send the input without checking it against the spec')
    .option('--json', 'print the final task as JSON (a JSON array for a batch)', false)
  downloadOptions(run)
    .addHelpText(
      'after',
      `
Examples:
  goapi run flux txt2img --prompt "a red fox in the snow"
  goapi run flux txt2img -p "a lighthouse" -i width=768 -i height=512 -m Qubico/flux1-dev
  goapi run midjourney imagine --input-file prompts.jsonl --concurrency 4
  goapi run kling video_generation -p "waves at dusk" --no-wait`,
    )
    .action(async (target: string, taskType: string | undefined, options: RunOptions, cmd: Command) =>
      setExit(await runCommand(target, taskType, options, globals(cmd))),
    )

  const task = program.command('task').description('get, wait for or cancel one task by id')
  task
    .command('get')
    .description('show a task')
    .argument('<task_id>')
    .option('--json', 'print the task as JSON', false)
    .action(async (id: string, options: { json: boolean }, cmd: Command) =>
      setExit(await taskGet(id, options, globals(cmd))),
    )
  downloadOptions(
    task
      .command('wait')
      .description('wait for a task with progress, then save its files and print a summary')
      .argument('<task_id>')
      .option('-o, --out <dir>', 'where to save files (default ./goapi-output/<task_id>/)')
      .option('--no-download', 'do not save output files')
      .option('--json', 'print the final task as JSON', false),
  ).action(async (id: string, options: Parameters<typeof taskWait>[1], cmd: Command) =>
    setExit(await taskWait(id, options, globals(cmd))),
  )
  task
    .command('cancel')
    .description('cancel a pending task')
    .argument('<task_id>')
    .option('--json', 'print the API answer as JSON', false)
    .action(async (id: string, options: { json: boolean }, cmd: Command) =>
      setExit(await taskCancel(id, options, globals(cmd))),
    )

  program
    .command('tasks')
    .description('act on many tasks')
    .command('cancel')
    .description('cancel every pending task of a model created before a time')
    .addOption(
      new Option('--model <model>', 'which tasks')
        .choices(['kling', 'midjourney', 'suno', 'luma', 'all'])
        .makeOptionMandatory(),
    )
    .option('--before <time>', 'ISO date/time, Unix seconds or "now"', 'now')
    .option('--json', 'print the API answer as JSON', false)
    .action(async (options: { before: string; model: string; json: boolean }, cmd: Command) =>
      setExit(await tasksCancel(options, globals(cmd))),
    )

  program
    .command('models')
    .description('list families, models and task types; with a family, its input fields')
    .argument('[family]')
    .option('--json', 'print as JSON', false)
    .action((family: string | undefined, options: { json: boolean }) => setExit(modelsCommand(family, options)))

  const account = program
    .command('account')
    .description('show the balance, credits and concurrency of the account behind GOAPI_API_KEY')
    .option('--json', 'print as JSON (never includes the key)', false)
    .action(async (options: { json: boolean }, cmd: Command) => setExit(await accountCommand(options, globals(cmd))))
  account
    .command('history')
    .description("list the account's past tasks, one page at a time")
    .option('--page <n>', 'page number, from 1', '1')
    .option('--page-size <n>', 'tasks per page, 1..100', '10')
    .option('--model <model>', 'only tasks of this model')
    .option('--json', 'print as JSON', false)
    .action(async (options: { page: string; pageSize: string; model?: string; json: boolean }, cmd: Command) =>
      setExit(await accountHistory(options, globals(cmd))),
    )

  program
    .command('upload')
    .description(
      'upload a file (at most 10 MB; jpg, png, webp, mp4, wav, mp3) and print its temporary public URL (kept 24 h)',
    )
    .argument('<file>')
    .option('--json', 'print the answer as JSON', false)
    .action(async (file: string, options: { json: boolean }, cmd: Command) =>
      setExit(await uploadCommand(file, options, globals(cmd))),
    )

  program
    .command('mock')
    .description('run the GoAPI simulator in the foreground (Ctrl-C stops it)')
    .option('--port <port>', 'port on 127.0.0.1 (0 picks a free one)', '4010')
    .option('-q, --quiet', 'do not log requests', false)
    .action(async (options: { port: string; quiet: boolean }) => setExit(await mockCommand(options)))

  program.addCommand(batchCommand(setExit))
  for (const group of routeCommands(setExit, globals, downloadOptions)) program.addCommand(group)

  for (const cmd of [program, ...allSubcommands(program)]) cmd.exitOverride()
  return program
}

function allSubcommands(cmd: Command): Command[] {
  return cmd.commands.flatMap((c) => [c, ...allSubcommands(c)])
}

const VERSION = (createRequire(import.meta.url)('../package.json') as { version: string }).version

/** Runs the CLI with `argv` (without node and script); resolves with the exit code. */
export async function main(argv: string[]): Promise<number> {
  // The key never reaches the terminal, whatever prints it (a server echoing it in any field, an error).
  const key = process.env.GOAPI_API_KEY
  const unguard = guardOutput([key, key?.trim()])
  let code: number = EXIT.ok
  const program = createProgram((c) => {
    code = c
  })
  try {
    await program.parseAsync(argv, { from: 'user' })
    return code
  } catch (error) {
    return report(error)
  } finally {
    unguard()
  }
}

function report(error: unknown): number {
  if (error instanceof CommanderError) {
    // `--help` and `--version` succeed; a command group run without its subcommand prints help as an error.
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return EXIT.ok
    return EXIT.usage
  }
  if (error instanceof CliError) {
    process.stderr.write(`goapi: ${error.message}\n`)
    return error.exitCode
  }
  if (error instanceof APIError) {
    const details = fieldErrors(error.body)
    process.stderr.write(
      `goapi: ${show(error.name)}: ${show(error.message)}${details ? `\n  ${details.join('\n  ')}` : ''}\n`,
    )
    return EXIT.failure
  }
  if (error instanceof GoApiError) {
    process.stderr.write(`goapi: ${show(error.name)}: ${show(error.message)}\n`)
    return EXIT.failure
  }
  process.stderr.write(`goapi: ${show(error instanceof Error ? error.message : error)}\n`)
  return EXIT.failure
}

function fieldErrors(body: unknown): string[] | undefined {
  const errors = (body as { data?: { errors?: Array<{ path?: string; message?: string }> } } | undefined)?.data?.errors
  if (!Array.isArray(errors) || errors.length < 2) return undefined
  return errors.map((e) => `${show(e.path ?? '')}: ${show(e.message ?? '')}`)
}

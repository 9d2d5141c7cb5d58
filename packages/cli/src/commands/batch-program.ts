// The `goapi batch` command group (registered by program.ts in one line).
import { Command } from 'commander'
import type { GlobalOptions } from '../backend.js'
import { batchResume, batchRun, batchStatus, batchWorker, type BatchRunOptions } from './batch.js'

export function batchCommand(setExit: (code: number) => void): Command {
  const globals = (cmd: Command) => cmd.optsWithGlobals<GlobalOptions>()
  const batch = new Command('batch').description(
    'bulk generation from JSONL or CSV: crash-safe (one task per row, resumable), budgeted, optionally on Redis workers',
  )
  const runtime = (cmd: Command) =>
    cmd
      .option('-c, --concurrency <n>', "tasks at once (default: the account's max_concurrent_task_count)")
      .option('--max-credits <points>', 'create nothing that could take the spend over this many points')
      .option('--resubmit-unknown', 'create rows left `unknown` again (they may then exist twice)', false)
      .option('--reconcile-after <ms>', 'how long a lost create may still turn into a task (default 60000)')
      .option('--request-timeout <ms>', 'timeout of each create and poll request')
      .option('--poll-interval <ms>', "first wait between polls of a task (default: the client's)")
      .option('--json', 'print events and the summary as JSON lines', false)
      .option('--no-download', "do not save the tasks' files")
      .option('--max-file-size <size>', 'largest file saved, e.g. 500MB or 2GiB (default 2GiB)')
      .option(
        '--allow-private-downloads',
        'allow file URLs on loopback or private addresses (automatic when the API itself is on one)',
      )
  runtime(
    batch
      .command('run')
      .description('run every row of a .jsonl (one create-task request per line) or .csv file')
      .argument('<input>', 'prompts.jsonl, or rows.csv with --family and --task')
      .requiredOption('-o, --out <dir>', 'output folder: journal.sqlite, results.jsonl, files/<row>/')
      .option('--family <family>', 'CSV: the family (flux)')
      .option('--task <task>', 'CSV: the task type or function name (txt2img); columns fill its input fields')
      .option('-m, --model <model>', "CSV: the model (default: the task's first)")
      .option('--queue <redis-url>', 'queue the rows on Redis (BullMQ) for `goapi batch worker`s'),
  ).action(async (input: string, options: BatchRunOptions, cmd: Command) =>
    setExit(await batchRun(input, options, globals(cmd))),
  )
  runtime(
    batch
      .command('resume')
      .description('continue a batch after a crash, Ctrl-C or reboot; creates no row twice')
      .argument('<dir>', 'the batch output folder'),
  ).action(async (dir: string, options: Omit<BatchRunOptions, 'out'>, cmd: Command) =>
    setExit(await batchResume(dir, options, globals(cmd))),
  )
  batch
    .command('status')
    .description('rows by status and credits per model (exit 0 when every row is completed)')
    .argument('<dir>', 'the batch output folder')
    .option('--json', 'print as JSON', false)
    .action(async (dir: string, options: { json: boolean }) => setExit(await batchStatus(dir, options)))
  batch
    .command('worker')
    .description('process queued rows from Redis until stopped (Ctrl-C or SIGTERM)')
    .requiredOption('--queue <redis-url>', 'redis://host:port')
    .option('-c, --concurrency <n>', "tasks at once in this worker (default: the account's limit)")
    .option('--lock-ms <ms>', 'a worker silent this long is presumed dead and its rows move on (default 30000)')
    .option('--reconcile-after <ms>', 'how long a lost create may still turn into a task (default 60000)')
    .option('--request-timeout <ms>', 'timeout of each create and poll request')
    .option('--poll-interval <ms>', "first wait between polls of a task (default: the client's)")
    .action(async (options: { queue: string }, cmd: Command) => setExit(await batchWorker(options, globals(cmd))))
  return batch
}

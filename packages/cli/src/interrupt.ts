// Ctrl-C while waiting: on a terminal, ask whether to cancel the task(s); otherwise leave them
// running, say which ids they have, and exit 130.
import { createInterface } from 'node:readline'
import type { GoApiClient } from '@goapi/client'
import { shellWord, show } from './output.js'

/** Calls `handler` on the first SIGINT (a second one exits at once with 130). Returns a disposer. */
export function onInterrupt(handler: () => void): () => void {
  let count = 0
  const listener = () => {
    count++
    if (count > 1) process.exit(130)
    handler()
  }
  process.on('SIGINT', listener)
  return () => process.off('SIGINT', listener)
}

/** Turns the first Ctrl-C into an aborted signal; `dispose` restores the default behaviour. */
export class Interrupt {
  readonly controller = new AbortController()
  interrupted = false
  readonly dispose: () => void
  /** Run synchronously on the Ctrl-C, before anything else (the offline cancel: nothing can run in between). */
  readonly first: Array<() => void> = []

  constructor() {
    this.dispose = onInterrupt(() => {
      this.interrupted = true
      for (const hook of this.first) hook()
      this.controller.abort()
    })
  }

  get signal(): AbortSignal {
    return this.controller.signal
  }
}

export function isInteractive(): boolean {
  return Boolean(process.stdin.isTTY && process.stderr.isTTY)
}

/** Asks a yes/no question on the terminal; Ctrl-C or end of input count as no. */
export function confirm(question: string): Promise<boolean> {
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr })
    let answered = false
    const finish = (value: boolean) => {
      if (answered) return
      answered = true
      rl.close()
      resolve(value)
    }
    rl.on('SIGINT', () => {
      process.stderr.write('\n')
      finish(false)
    })
    rl.on('close', () => finish(false))
    rl.question(question, (answer) => finish(/^y(es)?$/i.test(answer.trim())))
  })
}

/**
 * After an interrupt: asks (on a terminal) whether to cancel the unfinished tasks and does so;
 * otherwise only reports their ids, with the command that resumes waiting. Offline the tasks were
 * already cancelled in the simulator at the Ctrl-C (`halted`: see `Backend.halt`): it only says so
 * (the simulator stops with the command, so there is nothing to resume). Returns 130.
 */
export async function settleInterrupt(
  client: GoApiClient,
  taskIds: string[],
  offline: boolean,
  log: (line: string) => void,
  halted: string[] = [],
): Promise<number> {
  if (taskIds.length === 0) {
    log('Interrupted.')
    return 130
  }
  if (offline) {
    for (const id of taskIds)
      log(
        halted.includes(id)
          ? `Interrupted; cancelled simulated task ${show(id)}.`
          : `Interrupted; simulated task ${show(id)} had already finished.`,
      )
    return 130
  }
  const what = taskIds.length === 1 ? `task ${show(taskIds[0])}` : `${taskIds.length} unfinished tasks`
  if (isInteractive() && (await confirm(`Interrupted. Cancel ${what}? [y/N] `))) {
    for (const id of taskIds) {
      try {
        await client.cancelTask(id)
        log(`Cancelled task ${show(id)}`)
      } catch (error) {
        log(`Could not cancel task ${show(id)}: ${show(error instanceof Error ? error.message : error)}`)
      }
    }
    return 130
  }
  for (const id of taskIds)
    log(`Interrupted; task ${show(id)} was not cancelled. Resume with: goapi task wait ${shellWord(id)}`)
  return 130
}

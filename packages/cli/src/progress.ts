// Live progress on stderr: an ora spinner on a terminal, plain lines (one per change) otherwise.
import ora, { type Ora } from 'ora'
import type { UntypedTask } from '@goapi/client'
import { duration, percent } from './format.js'
import { show } from './output.js'

export interface Progress {
  /** Sets the text shown (re-rendered with the elapsed time on a terminal; printed as a line otherwise). */
  set(text: string): void
  /** Prints a line that stays above the spinner. */
  note(line: string): void
  /** Stops and removes the spinner (nothing is left on screen but notes). */
  stop(): void
  readonly interactive: boolean
}

export function createProgress(stream: NodeJS.WriteStream = process.stderr, quiet = false): Progress {
  const started = Date.now()
  if (quiet) return { set() {}, note() {}, stop() {}, interactive: false }
  // discardStdin off: the terminal stays in cooked mode, so Ctrl-C is a real SIGINT (see interrupt.ts).
  const spinner: Ora = ora({ stream, discardStdin: false })
  // A terminal that reports no width (a pseudo-terminal nobody sized) cannot be redrawn: use plain lines.
  if (!spinner.isEnabled || !stream.columns) {
    let last = ''
    return {
      interactive: false,
      set(text) {
        if (text === last) return
        last = text
        stream.write(`${text} (${duration(Date.now() - started)})\n`)
      },
      note(line) {
        stream.write(`${line}\n`)
      },
      stop() {},
    }
  }
  let text = ''
  const render = () => {
    spinner.text = `${text} ${duration(Date.now() - started)}`
  }
  spinner.start()
  const timer = setInterval(render, 200)
  timer.unref()
  let stopped = false
  return {
    interactive: true,
    set(next) {
      text = next
      render()
    },
    note(line) {
      if (stopped) {
        stream.write(`${line}\n`)
        return
      }
      spinner.clear()
      stream.write(`${line}\n`)
      spinner.render()
    },
    stop() {
      if (stopped) return
      stopped = true
      clearInterval(timer)
      spinner.stop()
    },
  }
}

/** One task's state for the progress line: `processing 45%`. */
export function statusText(task: UntypedTask): string {
  const p = percent(task)
  return `${show(task.status || 'pending')}${p !== undefined ? ` ${p}%` : ''}`
}

// Task updates for the events stream: one watch per task id, shared by every listener of that
// task. A watch reads the task once at once, then is fed by verified webhooks or by its own
// poller, and ends (with its poller) when the task ends or its last listener leaves.
import { GoApiError, pollDelay, pollPolicy, taskState, type PollPolicy, type UntypedTask } from '@goapi/client'
import { specTask } from './validate.js'

export interface Listener {
  /** A new state of the task (sent whenever its status or output changes). */
  update(task: UntypedTask): void
  /** The watch stopped on an error (task not found, too many failed reads). */
  fail(status: number, message: string): void
  /** The task ended (completed or failed); sent after its last `update`. */
  end(): void
}

export interface HubOptions {
  /** Reads the task once (the proxy's client). */
  get(taskId: string, signal: AbortSignal): Promise<UntypedTask>
  /** Most tasks watched at once. */
  maxTasks: number
  /** Most listeners at once, over all tasks. */
  maxListeners: number
  /**
   * Fixed delay between reads while webhooks feed the watch (a safety net for lost deliveries),
   * or `undefined` to poll at the client's pace for the task's kind.
   */
  webhookPollMs: number | undefined
  /** Pace overrides for polling. */
  poll: Partial<PollPolicy> | undefined
  /** Consecutive failed reads before the watch gives up. */
  maxFailures: number
}

interface Watch {
  readonly id: string
  readonly listeners: Set<Listener>
  readonly stop: AbortController
  last: UntypedTask | undefined
  print: string
}

export type Subscription =
  { ok: true; unsubscribe: () => void } | { ok: false; reason: 'too-many-tasks' | 'too-many-listeners' }

function fingerprint(task: UntypedTask): string {
  return `${task.status}|${JSON.stringify(task.output ?? null)}`
}

function settled(task: UntypedTask): boolean {
  const state = taskState(task.status)
  return state === 'completed' || state === 'failed'
}

function wait(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve()
    const done = () => {
      clearTimeout(timer)
      signal.removeEventListener('abort', done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    signal.addEventListener('abort', done, { once: true })
  })
}

export class TaskHub {
  readonly #watches = new Map<string, Watch>()
  #listeners = 0

  constructor(private readonly options: HubOptions) {}

  /** Tasks watched now. */
  get tasks(): number {
    return this.#watches.size
  }

  /** Listeners now, over all tasks. */
  get listeners(): number {
    return this.#listeners
  }

  /** Adds a listener to the task's watch, starting the watch (and its reads) when it is the first. */
  subscribe(taskId: string, listener: Listener): Subscription {
    if (this.#listeners >= this.options.maxListeners) return { ok: false, reason: 'too-many-listeners' }
    let watch = this.#watches.get(taskId)
    if (!watch) {
      if (this.#watches.size >= this.options.maxTasks) return { ok: false, reason: 'too-many-tasks' }
      watch = { id: taskId, listeners: new Set(), stop: new AbortController(), last: undefined, print: '' }
      this.#watches.set(taskId, watch)
      void this.#run(watch)
    }
    const current = watch
    current.listeners.add(listener)
    this.#listeners++
    if (current.last) listener.update(current.last)
    return { ok: true, unsubscribe: () => this.#leave(current, listener) }
  }

  /** A task state from a verified webhook: published to the task's listeners, if any. */
  feed(task: UntypedTask): void {
    const watch = this.#watches.get(task.task_id)
    if (watch) this.#publish(watch, task)
  }

  /** Ends every watch (the listeners' streams close). */
  close(): void {
    for (const watch of [...this.#watches.values()])
      this.#finish(watch, (l) => l.fail(503, 'The proxy is shutting down'))
  }

  #leave(watch: Watch, listener: Listener): void {
    if (!watch.listeners.delete(listener)) return
    this.#listeners--
    if (watch.listeners.size === 0) this.#drop(watch)
  }

  #drop(watch: Watch): void {
    watch.stop.abort()
    if (this.#watches.get(watch.id) === watch) this.#watches.delete(watch.id)
  }

  #finish(watch: Watch, notify: (listener: Listener) => void): void {
    this.#drop(watch)
    const listeners = [...watch.listeners]
    this.#listeners -= listeners.length
    watch.listeners.clear()
    for (const listener of listeners) notify(listener)
  }

  #publish(watch: Watch, task: UntypedTask): void {
    if (watch.stop.signal.aborted || task.task_id !== watch.id) return
    const print = fingerprint(task)
    if (print === watch.print) return
    watch.print = print
    watch.last = task
    for (const listener of watch.listeners) listener.update(task)
    if (settled(task)) this.#finish(watch, (l) => l.end())
  }

  async #run(watch: Watch): Promise<void> {
    const { signal } = watch.stop
    let policy: PollPolicy | undefined
    let failures = 0
    for (let attempt = 0; !signal.aborted; attempt++) {
      try {
        const task = await this.options.get(watch.id, signal)
        failures = 0
        policy ??= pollPolicy(specTask(task.model, task.task_type)?.kind, this.options.poll)
        this.#publish(watch, task)
      } catch (error) {
        if (signal.aborted) return
        const status = error instanceof GoApiError ? error.status : undefined
        if (status === 404) return this.#finish(watch, (l) => l.fail(404, `Task ${watch.id} not found`))
        if (++failures >= this.options.maxFailures)
          return this.#finish(watch, (l) => l.fail(502, 'GoAPI could not be reached to read the task'))
      }
      const webhookPollMs = this.options.webhookPollMs
      const delay =
        webhookPollMs !== undefined && watch.last
          ? webhookPollMs
          : pollDelay(policy ?? pollPolicy(undefined, this.options.poll), attempt)
      await wait(delay, signal)
    }
  }
}

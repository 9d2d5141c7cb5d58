// Faults on demand: rules that make matching requests fail in a chosen way, consumed in order,
// so tests get the same answers every run.

/** How a faulted answer's body is broken. */
export type FaultBody = 'truncated' | 'html' | 'non-json'

export interface FaultRule {
  /**
   * The route to break, as `METHOD /pattern`: `POST /api/v1/task`, `GET /api/v1/task/:id`,
   * `DELETE /api/v1/task/:id`, `DELETE /api/v1/tasks`, `GET /account/info`,
   * `GET /account/active_tasks`, `GET /api/open/tasks/histories`, `GET /files/:task/:file`; `*` matches every route.
   */
  route: string
  /** How many matching requests this rule breaks; unlimited when unset. */
  times?: number
  /** Answer with this HTTP status and a JSON `{code, message}` body. */
  status?: number
  /** `message` of that body. */
  message?: string
  /** `Retry-After` header value in seconds (status defaults to 429). */
  retryAfter?: number
  /** Wait this long before answering (alone: a slow but correct answer). */
  delayMs?: number
  /**
   * Send the status, the headers and the first half of the body at once, and the rest this many ms
   * later (alone: a correct answer whose body is slow; a POST records its task first).
   */
  slowBodyMs?: number
  /** Destroy the connection without an answer. */
  reset?: boolean
  /** Break the body: cut the answer mid-way (`truncated`), an HTML error page (`html`, status 502 unless set), or plain text (`non-json`, status 503 unless set). */
  body?: FaultBody
  /** Handle the request first (a POST records its task), then break the answer. */
  afterRecord?: boolean
  /** `POST /api/v1/task` only: the created task fails with this error. */
  taskError?: { code?: number; message?: string; raw_message?: string }
}

export interface Fault extends FaultRule {
  id: number
  /** Requests this rule has broken so far. */
  hits: number
}

/** Whether the fault changes the answer (rather than only delaying it or failing the task). */
export function breaksAnswer(fault: FaultRule): boolean {
  return (
    fault.status !== undefined || fault.retryAfter !== undefined || fault.reset === true || fault.body !== undefined
  )
}

const BODIES: readonly string[] = ['truncated', 'html', 'non-json']

/** Checks a rule received as JSON; returns the problems (empty when valid). */
export function checkRule(value: unknown): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return ['a fault must be a JSON object']
  const r = value as Record<string, unknown>
  const problems: string[] = []
  const known = [
    'route',
    'times',
    'status',
    'message',
    'retryAfter',
    'delayMs',
    'slowBodyMs',
    'reset',
    'body',
    'afterRecord',
    'taskError',
  ]
  for (const key of Object.keys(r)) if (!known.includes(key)) problems.push(`unknown field "${key}"`)
  if (typeof r.route !== 'string' || !(r.route === '*' || /^[A-Z]+ \/\S*$/.test(r.route)))
    problems.push('route must be "METHOD /path" or "*"')
  const int = (key: string, min: number, max: number) => {
    const v = r[key]
    if (v !== undefined && (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max))
      problems.push(`${key} must be an integer from ${min} to ${max}`)
  }
  int('times', 1, Number.MAX_SAFE_INTEGER)
  int('status', 100, 599)
  int('retryAfter', 0, 86_400)
  int('delayMs', 0, 600_000)
  int('slowBodyMs', 0, 600_000)
  if (r.message !== undefined && typeof r.message !== 'string') problems.push('message must be a string')
  for (const key of ['reset', 'afterRecord'])
    if (r[key] !== undefined && typeof r[key] !== 'boolean') problems.push(`${key} must be a boolean`)
  if (r.body !== undefined && !BODIES.includes(r.body as string))
    problems.push(`body must be one of ${BODIES.map((b) => `"${b}"`).join(', ')}`)
  if (r.taskError !== undefined) {
    const e = r.taskError as Record<string, unknown> | null
    if (
      typeof e !== 'object' ||
      e === null ||
      (e.code !== undefined && !Number.isInteger(e.code)) ||
      (e.message !== undefined && typeof e.message !== 'string') ||
      (e.raw_message !== undefined && typeof e.raw_message !== 'string')
    )
      problems.push('taskError must be {code?: integer, message?: string, raw_message?: string}')
  }
  return problems
}

export class Faults {
  private readonly rules: Fault[] = []
  private nextId = 1

  /** Adds a rule; rules are tried in the order added and the first one with uses left applies. */
  add(rule: FaultRule): Fault {
    const problems = checkRule(rule)
    if (problems.length > 0) throw new TypeError(`Invalid fault: ${problems.join('; ')}`)
    const fault: Fault = { ...rule, id: this.nextId++, hits: 0 }
    this.rules.push(fault)
    return fault
  }

  /** Removes one rule by id; returns whether it existed. */
  remove(id: number): boolean {
    const i = this.rules.findIndex((f) => f.id === id)
    if (i >= 0) this.rules.splice(i, 1)
    return i >= 0
  }

  /** Removes every rule. */
  clear(): void {
    this.rules.length = 0
  }

  /** The rules still active (copies). */
  list(): Fault[] {
    return this.rules.map((f) => ({ ...f }))
  }

  /** Finds the rule for `route` (`METHOD /pattern`), counts the use and drops it when used up. */
  take(route: string): Fault | undefined {
    const i = this.rules.findIndex((f) => f.route === '*' || samePattern(f.route, route))
    const fault = this.rules[i]
    if (!fault) return undefined
    fault.hits++
    if (fault.times !== undefined && fault.hits >= fault.times) this.rules.splice(i, 1)
    return { ...fault }
  }
}

/** Whether two routes name the same pattern, whatever their parameters are called (`:id`, `:task_id`, `{task_id}`). */
function samePattern(a: string, b: string): boolean {
  const shape = (r: string) => r.replace(/:[^/\s]+|\{[^}]+\}/g, ':')
  return a === b || shape(a) === shape(b)
}

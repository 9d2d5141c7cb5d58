// The optional logger: levels, and every line scrubbed of the API key.
import { redact } from './redact.js'

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'off'

/** Anything with console-like methods; `console` itself works. */
export interface Logger {
  debug(message: string, meta?: Record<string, unknown>): void
  info(message: string, meta?: Record<string, unknown>): void
  warn(message: string, meta?: Record<string, unknown>): void
  error(message: string, meta?: Record<string, unknown>): void
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, off: 100 }

export interface Log {
  (level: Exclude<LogLevel, 'off'>, message: string, meta?: Record<string, unknown>): void
  /** Whether `debug` lines are passed on (so hot paths build them only when they are). */
  readonly debug: boolean
}

export function makeLog(logger: Logger | undefined, level: LogLevel, secret: string): Log {
  if (!logger || level === 'off') return Object.assign(() => undefined, { debug: false })
  const log = (at: Exclude<LogLevel, 'off'>, message: string, meta?: Record<string, unknown>) => {
    if (RANK[at] < RANK[level]) return
    const line = `[goapi] ${redact(message, secret)}`
    if (meta) logger[at](line, redact(meta, secret))
    else logger[at](line)
  }
  return Object.assign(log, { debug: RANK.debug >= RANK[level] })
}

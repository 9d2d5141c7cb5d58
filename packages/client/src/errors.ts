// One error hierarchy for everything the client can throw. Every error carries what is known
// (HTTP status, GoAPI `code`/`message`, task id) and never the API key.
import type { UntypedTask } from '@goapi/types'
import { clip } from './internal/redact.js'

export interface GoApiErrorOptions {
  status?: number
  code?: number
  apiMessage?: string
  taskId?: string
  cause?: unknown
}

/**
 * Base class of every error thrown by the GoAPI client. The fields of `options` (but `cause`, which
 * is the standard `Error` cause) become the error's fields, and `toJSON()` gives them all (but a
 * `task`, which can be large) with `name` and `message`.
 */
export class GoApiError extends Error {
  override name = 'GoApiError'
  /** HTTP status, when the error came from an HTTP answer. */
  declare readonly status: number | undefined
  /** GoAPI's `code` from the answer body, when there was one. */
  declare readonly code: number | undefined
  /** GoAPI's `message` from the answer body, when there was one. */
  declare readonly apiMessage: string | undefined
  /** The task this error is about, when known. */
  declare readonly taskId: string | undefined

  constructor(message: string, options: GoApiErrorOptions = {}) {
    const { cause, ...fields } = options
    super(message, cause === undefined ? undefined : { cause })
    Object.assign(this, fields)
  }

  toJSON(): Record<string, unknown> {
    const { task: _task, ...fields } = this as unknown as Record<string, unknown>
    return { name: this.name, message: this.message, ...fields }
  }
}

/** The client was set up wrongly (for example without an API key). */
export class ConfigurationError extends GoApiError {
  override name = 'ConfigurationError'
}

/** GoAPI answered with an HTTP error status. Subclasses name the common cases. */
export class APIError extends GoApiError {
  override name = 'APIError'
  /** The parsed answer body (JSON, the API key scrubbed), or its text when it was not JSON. */
  declare readonly body: unknown
  declare readonly status: number
  /**
   * The answer's `Retry-After` in ms (429 and 503 only), when it was a sane value: seconds or an
   * HTTP date, between 0 and 1 hour. Negative, non-numeric or longer values are ignored.
   */
  declare readonly retryAfterMs: number | undefined

  constructor(message: string, options: GoApiErrorOptions & { status: number; body?: unknown; retryAfterMs?: number }) {
    super(message, options)
  }
}

/** 400 or 422: the request does not meet the requirements; `apiMessage` says why. */
export class InvalidRequestError extends APIError {
  override name = 'InvalidRequestError'
}
/** 401: the API key is missing or wrong. */
export class AuthenticationError extends APIError {
  override name = 'AuthenticationError'
}
/** 403: the key may not do this (for example a plan level too low). */
export class PermissionDeniedError extends APIError {
  override name = 'PermissionDeniedError'
}
/** 404: no such task or route. */
export class NotFoundError extends APIError {
  override name = 'NotFoundError'
}
/** 402, or a message saying the account lacks credits. */
export class InsufficientCreditsError extends APIError {
  override name = 'InsufficientCreditsError'
}
/** 429: too many requests. `retryAfterMs` is GoAPI's `Retry-After`, when given (and sane). */
export class RateLimitError extends APIError {
  override name = 'RateLimitError'
}
/** 5xx: GoAPI or something in front of it failed. On a 503, `retryAfterMs` is its `Retry-After`, when given. */
export class InternalServerError extends APIError {
  override name = 'InternalServerError'
}

/**
 * GoAPI answered with a redirect the client does not follow: to another origin (the API key would
 * go there), for anything but a GET, or more than `maxRedirects` times. `location` is where it pointed
 * (redacted, cut to 200 characters); nothing was sent there.
 */
export class RedirectError extends APIError {
  override name = 'RedirectError'
  declare readonly location: string | undefined

  constructor(message: string, options: GoApiErrorOptions & { status: number; location?: string }) {
    super(message, options)
  }
}

/**
 * An answer was larger than the client accepts (`limit: 'bytes'`, its Content-Length or the bytes
 * actually read; `max` bytes) or a JSON answer was nested deeper than `max` levels (`limit: 'depth'`).
 * The body was not kept, and reading it stopped as soon as the limit was passed.
 */
export class ResponseTooLargeError extends GoApiError {
  override name = 'ResponseTooLargeError'
  declare readonly limit: 'bytes' | 'depth'
  declare readonly max: number

  constructor(message: string, options: GoApiErrorOptions & { limit: 'bytes' | 'depth'; max: number }) {
    super(message, options)
  }
}

/** The request never got an HTTP answer (refused, reset, DNS failure, ...). */
export class APIConnectionError extends GoApiError {
  override name = 'APIConnectionError'
  /** The system error code behind the failure when known (`ECONNREFUSED`, `ENOTFOUND`, `ECONNRESET`, ...). */
  declare readonly causeCode: string | undefined
  /**
   * `false` only when the request provably never reached GoAPI (connection refused, DNS failure,
   * connect timeout); `true` when it may have been received and acted on.
   */
  declare readonly mayHaveReachedServer: boolean

  constructor(
    message: string,
    options: GoApiErrorOptions & { causeCode?: string; mayHaveReachedServer?: boolean } = {},
  ) {
    super(message, options)
    this.mayHaveReachedServer = options.mayHaveReachedServer ?? true
  }
}

/** Why a create request's outcome is unknown. */
export type CreationUnknownReason = 'connection' | 'timeout' | 'server-error' | 'invalid-response'

/**
 * A create request reached GoAPI (or may have) but no usable answer came back, so the task may
 * exist and be billed. The client does not retry it, to avoid creating (and paying for) a
 * duplicate. Reconcile before creating it again: look for the task among your recent tasks
 * (`listTaskHistory()`, the GoAPI workspace), or let a `config.webhook_config` delivery tell you about it.
 * `cause` is the underlying typed error (`InternalServerError`, `TimeoutError`, `APIConnectionError`, ...).
 */
export class TaskCreationUnknownError extends GoApiError {
  override name = 'TaskCreationUnknownError'
  declare readonly reason: CreationUnknownReason

  constructor(reason: CreationUnknownReason, cause: GoApiError) {
    super(
      `The task may have been created and billed, but no usable answer came back (${cause.message}): not retried. Look for it in your recent tasks (listTaskHistory()) before creating it again.`,
      { status: cause.status, code: cause.code, apiMessage: cause.apiMessage, cause },
    )
    this.reason = reason
  }
}

/**
 * A time limit passed: a single request's `timeout`, or the overall deadline of `wait()`/`run()`.
 * For a wait, `task` is the last state seen: the task keeps running on GoAPI's side.
 */
export class TimeoutError extends GoApiError {
  override name = 'TimeoutError'
  declare readonly task: UntypedTask | undefined
  constructor(message: string, options: GoApiErrorOptions & { task?: UntypedTask } = {}) {
    super(message, options)
  }
}

/** The caller's `AbortSignal` fired. */
export class AbortError extends GoApiError {
  override name = 'AbortError'
}

/** The task ended with `status: failed`. `task` is the failed task; `code`/`apiMessage`/`rawMessage` come from its `error`. */
export class TaskFailedError extends GoApiError {
  override name = 'TaskFailedError'
  declare readonly task: UntypedTask
  /** The upstream provider's own text (`error.raw_message`). */
  declare readonly rawMessage: string | undefined

  constructor(task: UntypedTask) {
    const err = task.error
    const text = err?.message || err?.raw_message || 'no error message'
    super(clip(`Task ${task.task_id} (${task.model} ${task.task_type}) failed: ${text}`), {
      code: err?.code,
      apiMessage: err?.message,
      taskId: task.task_id,
    })
    this.task = task
    this.rawMessage = err?.raw_message
  }
}

/** Why a webhook delivery was rejected. */
export type WebhookFailureReason =
  'missing-secret' | 'wrong-secret' | 'too-large' | 'invalid-body' | 'stale' | 'replayed'

/**
 * A webhook delivery did not pass verification. `status` is the HTTP status to answer it with
 * (401 wrong or missing secret, 413 too large, 400 invalid body, 409 stale or replayed).
 */
export class WebhookVerificationError extends GoApiError {
  override name = 'WebhookVerificationError'
  declare readonly reason: WebhookFailureReason
  declare readonly status: number

  constructor(reason: WebhookFailureReason, message: string, options: { taskId?: string } = {}) {
    const status =
      reason === 'missing-secret' || reason === 'wrong-secret'
        ? 401
        : reason === 'too-large'
          ? 413
          : reason === 'invalid-body'
            ? 400
            : 409
    super(message, { status, taskId: options.taskId })
    this.reason = reason
  }
}

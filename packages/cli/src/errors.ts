// Exit codes follow common CLI conventions: 0 success, 1 failure, 2 usage or invalid input, 130 interrupted.
export const EXIT = { ok: 0, failure: 1, usage: 2, interrupted: 130 } as const

/** An error the CLI reports as one message (no stack) with a chosen exit code. */
export class CliError extends Error {
  override name = 'CliError'
  constructor(
    message: string,
    readonly exitCode: number = EXIT.failure,
  ) {
    super(message)
  }
}

// The one error `downloadFiles` reports per failed file.
import { GoApiError } from '../errors.js'

/** Why a file was not saved. */
export type DownloadFailure =
  | 'too_large'
  | 'timeout'
  | 'blocked_host'
  | 'bad_redirect'
  | 'http_status'
  | 'exists'
  | 'unsafe_path'
  | 'aborted'
  | 'network'

/**
 * A file could not be saved. `reason` says why; `status` is the HTTP status for `http_status`.
 * (`code` stays GoAPI's numeric code, as on every `GoApiError`.) Nothing was left behind: a
 * partial download is removed.
 */
export class DownloadError extends GoApiError {
  override name = 'DownloadError'
  declare readonly reason: DownloadFailure

  constructor(reason: DownloadFailure, message: string, options: { status?: number; cause?: unknown } = {}) {
    super(message, options)
    this.reason = reason
  }
}

// @goapi/client/node: Node-only helpers for saving a task's output files safely.
export {
  downloadFiles,
  DEFAULT_DOWNLOAD_MAX_BYTES,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_IDLE_TIMEOUT_MS,
  DEFAULT_DOWNLOAD_DEADLINE_MS,
  DEFAULT_MAX_REDIRECTS,
} from './download.js'
export type { DownloadOptions, FileResult } from './download.js'
export { DownloadError } from './errors.js'
export type { DownloadFailure } from './errors.js'
export { outputFiles, extensionFor } from './files.js'
export type { FileRef } from './files.js'
export { isPrivateAddress, isPrivateUrl } from './address.js'
export { outputDir, isInside } from './dir.js'

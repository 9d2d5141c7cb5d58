// Account, task history and file upload: the API's non-task routes, as standalone functions built
// with defineOperation (the mechanism of the family packages' routes), resolving with the envelope's `data`.
import type { components, paths } from '@goapi/types'
import type { GoApiClient, RequestOptions } from './client.js'
import { defineOperation } from './define-operation.js'

type Schemas = components['schemas']

export type AccountInfo = Schemas['AccountInfo']
export type AccountActiveTasks = Schemas['AccountActiveTasksResponse']['data']
export type AccountTaskHistoryPage = Schemas['AccountTaskHistoryResponse']['data']
export type TaskHistoryQuery = NonNullable<paths['/api/open/tasks/histories']['get']['parameters']['query']>
export type UploadFileRequest = Schemas['ToolsUploadFileRequest']
export type UploadedFile = Schemas['ToolsUploadFileResponse']['data']

/** Host of the ephemeral file upload route (its own server in the spec). */
export const DEFAULT_UPLOAD_BASE_URL = 'https://upload.theapi.app'

export interface UploadOptions extends RequestOptions {
  /**
   * Base URL of the upload host. Default `https://upload.theapi.app` for a client on GoAPI's hosts;
   * a client elsewhere (the simulator, a proxy) uploads to its own base URL.
   */
  uploadBaseUrl?: string
}

const accountInfo = /* @__PURE__ */ defineOperation('get', '/account/info', {
  auth: 'apiKey',
  bodyType: 'none',
  response: 'envelope',
})
const activeTasks = /* @__PURE__ */ defineOperation('get', '/account/active_tasks', {
  auth: 'apiKey',
  bodyType: 'none',
  response: 'envelope',
})
const taskHistory = /* @__PURE__ */ defineOperation('get', '/api/open/tasks/histories', {
  auth: 'apiKey',
  bodyType: 'none',
  response: 'envelope',
  query: ['page', 'page_size', 'model', 'start_time', 'end_time'],
})
const ephemeralUpload = /* @__PURE__ */ defineOperation('post', '/api/ephemeral_resource', {
  auth: 'apiKey',
  servers: [DEFAULT_UPLOAD_BASE_URL],
  bodyType: 'json',
  response: 'envelope',
})

const callOptions = (options: RequestOptions | undefined) => ({
  signal: options?.signal,
  timeoutMs: options?.timeoutMs,
})

function toBase64(bytes: Uint8Array): string {
  let text = ''
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  return btoa(text)
}

/** The account behind the API key: name, id, plan and balance (`GET /account/info`). */
export async function getAccountInfo(client: GoApiClient, options?: RequestOptions): Promise<AccountInfo> {
  return accountInfo(client, callOptions(options))
}

/** The account's pending, processing and staged tasks per model family (`GET /account/active_tasks`). */
export async function listActiveTasks(client: GoApiClient, options?: RequestOptions): Promise<AccountActiveTasks> {
  return activeTasks(client, callOptions(options))
}

/** One page of the account's task history, optionally filtered (`GET /api/open/tasks/histories`). */
export async function listTaskHistory(
  client: GoApiClient,
  query: TaskHistoryQuery = {},
  options?: RequestOptions,
): Promise<AccountTaskHistoryPage> {
  return taskHistory(client, query, callOptions(options))
}

/**
 * Uploads a file (base64, at most 10 MB; jpg, jpeg, png, webp, mp4, wav or mp3) and resolves with
 * its temporary public URL, kept 24 hours (`POST /api/ephemeral_resource` on `upload.theapi.app`).
 * `file_data` may be a base64 string or bytes.
 */
export async function uploadFile(
  client: GoApiClient,
  file: { file_name: string; file_data: string | Uint8Array },
  options?: UploadOptions,
): Promise<UploadedFile> {
  const body: UploadFileRequest = {
    file_name: file.file_name,
    file_data: typeof file.file_data === 'string' ? file.file_data : toBase64(file.file_data),
  }
  const baseUrl = options?.uploadBaseUrl
  return ephemeralUpload(client, body, { ...callOptions(options), ...(baseUrl ? { baseUrl } : {}) })
}

// Account, task history and file upload: the API's non-task routes, as standalone functions on a
// client's typed `raw` openapi-fetch client.
import type { Middleware } from 'openapi-fetch'
import type { components, paths } from '@goapi/types'
import type { GoApiClient, RequestOptions } from './client.js'
import { APIError } from './errors.js'
import { errorFromResponse } from './internal/http.js'

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
  /** Base URL of the upload host. Default `https://upload.theapi.app`. */
  uploadBaseUrl?: string
}

interface RawResult {
  data?: unknown
  error?: unknown
  response: Response
}

// Runs one raw call with the options' signal/timeout; returns the envelope's `data` or throws the
// typed error. The key, read from the request the client signed, is scrubbed from errors.
async function send(
  what: string,
  options: RequestOptions | undefined,
  call: (init: { signal: AbortSignal; middleware: Middleware[] }) => Promise<RawResult>,
): Promise<unknown> {
  let apiKey = ''
  const readKey: Middleware = {
    onRequest({ request }) {
      apiKey = request.headers.get('x-api-key') ?? ''
      return undefined
    },
  }
  const signals = [
    options?.signal,
    options?.timeoutMs !== undefined ? AbortSignal.timeout(options.timeoutMs) : undefined,
  ].filter((s): s is AbortSignal => s !== undefined)
  const signal = signals.length ? AbortSignal.any(signals) : new AbortController().signal
  const result = await call({ signal, middleware: [readKey] })
  if (!result.response.ok) throw errorFromResponse(result.response, result.error, apiKey)
  const body = result.data as { data?: unknown; code?: unknown; message?: unknown } | undefined
  if (typeof body !== 'object' || body === null || typeof body.data !== 'object' || body.data === null) {
    throw new APIError(`GoAPI answered ${what} without data`, {
      status: result.response.status,
      apiMessage: typeof body?.message === 'string' ? body.message : undefined,
    })
  }
  return body.data
}

function toBase64(bytes: Uint8Array): string {
  let text = ''
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  return btoa(text)
}

/** The account behind the API key: name, id, plan and balance (`GET /account/info`). */
export async function getAccountInfo(client: GoApiClient, options?: RequestOptions): Promise<AccountInfo> {
  return (await send('account info', options, (init) => client.raw.GET('/account/info', init))) as AccountInfo
}

/** The account's pending, processing and staged tasks per model family (`GET /account/active_tasks`). */
export async function listActiveTasks(client: GoApiClient, options?: RequestOptions): Promise<AccountActiveTasks> {
  return (await send('active tasks', options, (init) =>
    client.raw.GET('/account/active_tasks', init),
  )) as AccountActiveTasks
}

/** One page of the account's task history, optionally filtered (`GET /api/open/tasks/histories`). */
export async function listTaskHistory(
  client: GoApiClient,
  query: TaskHistoryQuery = {},
  options?: RequestOptions,
): Promise<AccountTaskHistoryPage> {
  return (await send('task history', options, (init) =>
    client.raw.GET('/api/open/tasks/histories', { ...init, params: { query } }),
  )) as AccountTaskHistoryPage
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
  const baseUrl = (options?.uploadBaseUrl ?? DEFAULT_UPLOAD_BASE_URL).replace(/\/+$/, '')
  return (await send('upload', options, (init) =>
    client.raw.POST('/api/ephemeral_resource', { ...init, baseUrl, body }),
  )) as UploadedFile
}

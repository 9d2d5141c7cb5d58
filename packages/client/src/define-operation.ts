// The one mechanism behind every family package's special routes (OpenAI-compatible, GPTs, file
// upload, legacy): a typed function per operation of the spec, sent through the client's
// openapi-fetch client (`rawClient`) and typed by `paths` (parameters, body and answer).
import type { Middleware } from 'openapi-fetch'
import type { paths } from '@goapi/types'
import type { GoApiClient } from './client.js'
import { APIError, GoApiError } from './errors.js'
import {
  DEFAULT_MAX_BINARY_BYTES,
  DEFAULT_MAX_JSON_BYTES,
  DEFAULT_MAX_JSON_DEPTH,
  capBody,
  checkLength,
  guardedFetch,
} from './internal/guard.js'
import { connectionError, dataFromBody, errorFromResponse, tooDeep } from './internal/http.js'
import { nestedDeeperThan, redact } from './internal/redact.js'
import { internalsOf } from './internal/registry.js'
import { withDeadline } from './internal/request.js'
import { errorCodes, provablyNotSent } from './internal/retry.js'
import { abortError } from './internal/sleep.js'
import { bearerAuth } from './openai-compat.js'
import { rawClient } from './raw.js'
import { sseData } from './sse.js'

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete'
/** `apiKey`: `x-api-key` header (the task API); `bearer`: `Authorization: Bearer` (OpenAI-compatible routes). */
export type OperationAuth = 'apiKey' | 'bearer'
/** How the body is sent: JSON, a multipart form (Blob fields become files) or no body. */
export type OperationBodyType = 'json' | 'multipart' | 'none'
/**
 * How the answer is read: `json` (parsed; a declared `text/plain` answer comes back as a string),
 * `envelope` (JSON in GoAPI's `{code, message, data}` envelope: resolves with `data`, and an answer
 * without it is an `APIError`), `binary` (a `Blob`), `text` (a string) or `stream` (server-sent
 * events, each `data:` parsed as JSON).
 */
export type OperationResponse = 'json' | 'envelope' | 'binary' | 'text' | 'stream'

/** The spec's operation at `paths[P][M]`. */
export type OperationOf<P, M extends HttpMethod> = P extends keyof paths
  ? M extends keyof paths[P]
    ? NonNullable<paths[P][M]>
    : never
  : never

/** Every path of the spec that has a `M` operation. */
export type OperationPath<M extends HttpMethod> = {
  [P in keyof paths]: [OperationOf<P, M>] extends [never] ? never : P
}[keyof paths]

type Empty = Record<never, never>
type ParametersOf<O> = O extends { parameters: infer Ps } ? Ps : Empty
type PathParams<O> = ParametersOf<O> extends { path: infer X } ? X : Empty
type QueryParams<O> =
  ParametersOf<O> extends { query?: infer Q } ? ([NonNullable<Q>] extends [never] ? Empty : NonNullable<Q>) : Empty

/** Path and query parameters of an operation, as one object (`{ conversation_id }`, `{ task_id }`). */
export type OperationParams<O> = PathParams<O> & QueryParams<O>
/** The request body of an operation (`never` when it takes none). */
export type OperationBody<O> = O extends { requestBody: { content: infer C } } ? C[keyof C] : never
/** A multipart body: the binary fields `F` take a `Blob` (or a `File`, whose name is sent). */
export type MultipartBody<B, F extends string> = { [K in keyof B]: K extends F ? Blob : B[K] }

type SuccessStatus = 200 | 201 | 202 | 203 | 206
type SuccessContent<O> = O extends { responses: infer R }
  ? { [S in keyof R & SuccessStatus]: R[S] extends { content: infer C } ? C : never }[keyof R & SuccessStatus]
  : never
type Media<C, T extends string> = C extends unknown ? (T extends keyof C ? C[T] : never) : never

/** What an operation function resolves with, by response mode. */
export type OperationResult<O, R extends OperationResponse> = R extends 'binary'
  ? Blob
  : R extends 'text'
    ? string
    : R extends 'stream'
      ? AsyncGenerator<Media<SuccessContent<O>, 'text/event-stream'>, void, undefined>
      : R extends 'envelope'
        ? EnvelopeData<Media<SuccessContent<O>, 'application/json'>>
        : Media<SuccessContent<O>, 'application/json'> | Media<SuccessContent<O>, 'text/plain'>
type EnvelopeData<B> = B extends { data: infer D } ? D : never

/**
 * GoAPI's own hosts. A client on one of them sends a route to the route's own server (such as
 * `https://upload.theapi.app`); a client anywhere else (the simulator, a `@goapi/server` proxy, a
 * gateway) sends every route to its own base URL, so a test never reaches a real host by accident.
 */
const GOAPI_HOST = /^https:\/\/(?:api|proxy)\.goapi\.(?:ai|xyz)\/*$/

export interface OperationOptions {
  /** Aborts the call (and, for a stream, the reading of it). */
  signal?: AbortSignal
  /**
   * Time limit in ms (default: the client's `timeoutMs`, 60 000): up to the whole answer, or for a
   * stream up to its first bytes (the stream itself is not cut; stop it with `signal` or `break`).
   */
  timeoutMs?: number
  /**
   * Overrides the host. Default: the operation's own server (such as `https://upload.theapi.app`)
   * when the client's base URL is one of GoAPI's hosts, else the client's base URL.
   */
  baseUrl?: string
  /**
   * Largest answer read, in bytes: a larger Content-Length is rejected before reading, and reading
   * stops as soon as more arrives (`ResponseTooLargeError`). Default: 100 MiB for a binary answer
   * (also for its `.stream()`), the client's `maxResponseBytes` (32 MiB) for JSON and text, and for
   * an event stream no total limit (each event is capped at `maxResponseBytes`).
   */
  maxBytes?: number
}

/** The positional arguments after the client: `params` (path/query) if any, `body` if any, then options. */
export type OperationArgs<O, F extends string> = [
  ...(keyof OperationParams<O> extends never ? [] : [params: OperationParams<O>]),
  ...([OperationBody<O>] extends [never]
    ? []
    : [body: [F] extends [never] ? OperationBody<O> : MultipartBody<OperationBody<O>, F>]),
  options?: OperationOptions,
]

/** A typed function for one route: `fn(client, params?, body?, options?)`. */
export interface OperationFunction<
  M extends HttpMethod,
  P extends string,
  O,
  R extends OperationResponse,
  F extends string = never,
> {
  (client: GoApiClient, ...args: OperationArgs<O, F>): Promise<OperationResult<O, R>>
  readonly method: M
  readonly path: P
  readonly auth: OperationAuth
  /** The operation's own hosts from the spec (the first is used); empty: the client's base URL. */
  readonly servers: readonly string[]
}

/** What a binary route function has besides the `Blob` call: the answer as a stream. */
export interface BinaryOperationStream<O, F extends string = never> {
  /**
   * Like the call itself, but resolves (once the answer has started) with its body as a stream of
   * bytes instead of a `Blob`, capped by `maxBytes` (default 100 MiB) like the `Blob`: past it the
   * stream errors with `ResponseTooLargeError` and the connection is closed. `timeoutMs` bounds the
   * wait for the answer to start; stop the stream itself with `signal` or by cancelling it.
   */
  stream(client: GoApiClient, ...args: OperationArgs<O, F>): Promise<ReadableStream<Uint8Array>>
}

/** What {@link defineOperation} returns: the function, and for a binary answer its `.stream()` form too. */
export type DefinedOperation<
  M extends HttpMethod,
  P extends string,
  O,
  R extends OperationResponse,
  F extends string = never,
> = OperationFunction<M, P, O, R, F> & (R extends 'binary' ? BinaryOperationStream<O, F> : unknown)

export interface OperationDefinition<R extends OperationResponse, F extends string> {
  auth: OperationAuth
  /** The operation's own hosts (its `servers` in the spec); the first is the default. */
  servers?: readonly string[]
  bodyType: OperationBodyType
  response: R
  /** Names of the query parameters (path parameters come from the path template). */
  query?: readonly string[]
  /** Binary fields of a multipart body (sent as files). */
  files?: readonly F[]
}

type RawCall = (path: string, init: Record<string, unknown>) => Promise<{ error?: unknown; response: Response }>

function toFormData(body: unknown): FormData {
  const form = new FormData()
  for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
    for (const v of Array.isArray(value) ? (value as unknown[]) : [value]) {
      if (v === undefined || v === null) continue
      if (v instanceof Blob) form.append(key, v, v instanceof File ? v.name : key)
      else form.append(key, typeof v === 'object' ? JSON.stringify(v) : String(v as string | number | boolean))
    }
  }
  return form
}

async function* events(
  response: Response,
  what: string,
  apiKey: string,
  signal: AbortSignal | undefined,
  limits: { maxEventBytes: number; maxDepth: number },
): AsyncGenerator<unknown, void, undefined> {
  if (!response.body) throw new APIError(`${what}: GoAPI answered a stream without a body`, { status: response.status })
  const stream = sseData(response.body, { maxEventBytes: limits.maxEventBytes })
  try {
    for (;;) {
      let next: IteratorResult<string, void>
      try {
        next = await stream.next()
      } catch (error) {
        if (signal?.aborted) throw abortError(signal)
        if (error instanceof GoApiError) throw error
        throw connectionError(error, apiKey, { mayHaveReachedServer: true, midBody: true })
      }
      if (next.done || next.value === '[DONE]' || next.value === '[none]') return
      let event: unknown
      try {
        event = JSON.parse(next.value)
      } catch {
        throw new APIError(
          `${what}: GoAPI sent a stream event that is not JSON: ${redact(next.value.slice(0, 200), apiKey)}`,
          {
            status: response.status,
          },
        )
      }
      if (nestedDeeperThan(event, limits.maxDepth)) throw tooDeep(response.status, limits.maxDepth)
      yield redact(event, apiKey)
    }
  } finally {
    // Cancels the body when the consumer stops early (`break`), so the connection is closed.
    await stream.return()
  }
}

interface ReadLimits {
  maxBytes: number
  maxDepth: number
}

/** The whole body, read under `maxBytes` (whatever the `fetch` behind the client did). */
async function readCapped(response: Response, maxBytes: number): Promise<Response> {
  await checkLength(response, maxBytes)
  const body = response.body ? capBody(response.body, maxBytes, response.status) : null
  return new Response(body, { headers: response.headers })
}

async function readAnswer(
  response: Response,
  mode: OperationResponse,
  what: string,
  apiKey: string,
  limits: ReadLimits,
) {
  const type = response.headers.get('content-type') ?? ''
  if ((mode === 'json' || mode === 'envelope') && /text\/event-stream/i.test(type)) {
    await response.body?.cancel()
    throw new APIError(`${what}: GoAPI answered a server-sent event stream where JSON was expected`, {
      status: response.status,
    })
  }
  const capped = await readCapped(response, limits.maxBytes)
  if (mode === 'binary') return capped.blob()
  if (mode === 'text') return redact(await capped.text(), apiKey)
  const text = await capped.text()
  if (/^text\//i.test(type) && mode !== 'envelope') return redact(text, apiKey)
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    const status = `Invalid JSON from GoAPI (HTTP ${response.status})`
    throw errorFromResponse(new Response(null, { status: 502, statusText: status }), undefined, apiKey)
  }
  if (mode === 'envelope') return dataFromBody(response, body, apiKey, 'data', limits.maxDepth)
  if (nestedDeeperThan(body, limits.maxDepth)) throw tooDeep(response.status, limits.maxDepth)
  return redact(body, apiKey)
}

/**
 * Builds the typed function of one route of the spec. Used by the generated family packages
 * (`@goapi/llm`'s `createSpeech`, `@goapi/gpts`' `createConversation`, ...); parameters, body and
 * answer are typed from `paths[path][method]`. Errors are the client's typed errors
 * (`InvalidRequestError`, `AuthenticationError`, ..., `APIConnectionError`, `TimeoutError`,
 * `AbortError`); the API key is scrubbed from them. Calls are not retried.
 */
export function defineOperation<
  const M extends HttpMethod,
  const P extends OperationPath<M>,
  const R extends OperationResponse,
  const F extends string = never,
>(method: M, path: P, definition: OperationDefinition<R, F>): DefinedOperation<M, P, OperationOf<P, M>, R, F> {
  const pathNames = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1] ?? '')
  const hasParams = pathNames.length > 0 || (definition.query?.length ?? 0) > 0
  const hasBody = definition.bodyType !== 'none'
  const servers = definition.servers ?? []
  const what = `${method.toUpperCase()} ${path}`

  const call = async (client: GoApiClient, as: OperationResponse | 'bytes', args: unknown[]): Promise<unknown> => {
    let i = 0
    const params = (hasParams ? args[i++] : undefined) as Record<string, unknown> | undefined
    const body = hasBody ? args[i++] : undefined
    const options = (args[i] ?? {}) as OperationOptions
    const inner = internalsOf(client)
    let apiKey = inner?.apiKey ?? ''
    const readKey: Middleware = {
      onRequest({ request }) {
        apiKey ||= request.headers.get('x-api-key') ?? ''
        return undefined
      },
    }
    const maxJson = inner?.maxResponseBytes ?? DEFAULT_MAX_JSON_BYTES
    const maxDepth = inner?.maxResponseDepth ?? DEFAULT_MAX_JSON_DEPTH
    const binary = as === 'binary' || as === 'bytes'
    const maxBytes = options.maxBytes ?? (binary ? DEFAULT_MAX_BINARY_BYTES : as === 'stream' ? Infinity : maxJson)
    const path_: Record<string, unknown> = {}
    const query: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(params ?? {})) (pathNames.includes(k) ? path_ : query)[k] = v
    const init: Record<string, unknown> = {
      baseUrl: (
        options.baseUrl ??
        (GOAPI_HOST.test(client.baseUrl) ? servers[0] : undefined) ??
        client.baseUrl
      ).replace(/\/+$/, ''),
      params: { path: path_, query },
      middleware: definition.auth === 'bearer' ? [readKey, bearerAuth] : [readKey],
      parseAs: 'stream',
    }
    if (hasBody) init.body = body
    if (definition.bodyType === 'multipart') init.bodySerializer = toFormData
    if (as === 'stream') init.headers = { accept: 'text/event-stream' }
    // The client's guard caps every answer at its `maxResponseBytes`; this call reads under its own cap.
    if (inner && maxBytes !== maxJson) {
      init.fetch = guardedFetch(inner.fetch, { apiKey: inner.apiKey, maxBytes, maxErrorBytes: maxJson })
    }
    const raw = rawClient(client) as unknown as Record<string, RawCall>
    const send = raw[method.toUpperCase()]
    if (!send) throw new Error(`openapi-fetch has no ${method.toUpperCase()}`)
    return withDeadline(options.timeoutMs ?? client.timeoutMs, options.signal, what, async (signal) => {
      const userSignal = options.signal
      const streamed = as === 'stream' || as === 'bytes'
      init.signal = streamed && userSignal ? AbortSignal.any([signal, userSignal]) : signal
      let result: { error?: unknown; response: Response }
      try {
        result = await send(path, init)
      } catch (error) {
        if (signal.aborted || error instanceof GoApiError) throw error
        const codes = errorCodes(error)
        throw connectionError(error, apiKey, {
          causeCode: codes[codes.length - 1],
          mayHaveReachedServer: !provablyNotSent(codes),
        })
      }
      const { response } = result
      if (!response.ok) throw errorFromResponse(response, result.error, apiKey, undefined, maxDepth)
      if (as === 'stream') return events(response, what, apiKey, userSignal, { maxEventBytes: maxJson, maxDepth })
      try {
        if (as === 'bytes') {
          await checkLength(response, maxBytes)
          const midBody = (error: unknown) =>
            userSignal?.aborted
              ? abortError(userSignal)
              : error instanceof GoApiError
                ? error
                : connectionError(error, apiKey, { mayHaveReachedServer: true, midBody: true })
          return response.body ? capBody(response.body, maxBytes, response.status, midBody) : new Blob([]).stream()
        }
        return await readAnswer(response, as, what, apiKey, { maxBytes, maxDepth })
      } catch (error) {
        if (signal.aborted || error instanceof GoApiError) throw error
        throw connectionError(error, apiKey, { mayHaveReachedServer: true, midBody: true })
      }
    })
  }
  const fn = (client: GoApiClient, ...args: unknown[]) => call(client, definition.response, args)
  const extra =
    definition.response === 'binary'
      ? { stream: (client: GoApiClient, ...args: unknown[]) => call(client, 'bytes', args) }
      : {}
  return Object.assign(fn, { method, path, auth: definition.auth, servers }, extra) as unknown as DefinedOperation<
    M,
    P,
    OperationOf<P, M>,
    R,
    F
  >
}

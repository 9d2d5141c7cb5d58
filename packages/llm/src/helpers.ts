// The OpenAI-compatible chat and embedding routes, on the client's typed `raw` openapi-fetch client.
// These routes take the key as `Authorization: Bearer`; the client's `bearerAuth` middleware moves
// it there for each request.
import { APIError, bearerAuth, type GoApiClient } from '@goapi/client'
import type { components } from '@goapi/types'

type Schemas = components['schemas']
type ChatRequest = Schemas['LlmChatCompletionRequest']
type ChatCompletion = Schemas['LlmChatCompletion']
type ChatChunk = Schemas['LlmChatCompletionChunk']
type EmbeddingRequest = Schemas['LlmEmbeddingRequest']
type EmbeddingList = Schemas['LlmEmbeddingList']

export interface LlmCallOptions {
  /** Aborts the request (and, for a stream, the reading of it). */
  signal?: AbortSignal
}

async function failure(route: string, response: Response): Promise<APIError> {
  const text = await response.text().catch(() => '')
  let body: unknown = text
  try {
    body = JSON.parse(text)
  } catch {
    // not JSON: keep the text
  }
  const message =
    typeof body === 'object' && body !== null && 'error' in body
      ? JSON.stringify((body as { error: unknown }).error)
      : text.slice(0, 300)
  return new APIError(`GoAPI answered ${response.status} on ${route}${message ? `: ${message}` : ''}`, {
    status: response.status,
    body,
  })
}

/** A chat completion, not streamed (`POST /v1/chat/completions`; `stream` is sent as `false`). */
export async function chatCompletion(
  client: GoApiClient,
  request: ChatRequest,
  options: LlmCallOptions = {},
): Promise<ChatCompletion> {
  const { response } = await client.raw.POST('/v1/chat/completions', {
    body: { ...request, stream: false },
    middleware: [bearerAuth],
    parseAs: 'stream',
    signal: options.signal,
  })
  if (!response.ok) throw await failure('/v1/chat/completions', response)
  return (await response.json()) as ChatCompletion
}

/**
 * A streamed chat completion (`stream` is sent as `true`): an async iterable of the typed chunks of the
 * server-sent event stream, ending at `data: [DONE]`. Stop early with `break` (the connection is
 * closed) or with `options.signal`.
 */
export async function* streamChatCompletion(
  client: GoApiClient,
  request: ChatRequest,
  options: LlmCallOptions = {},
): AsyncGenerator<ChatChunk, void, undefined> {
  const { response } = await client.raw.POST('/v1/chat/completions', {
    body: { ...request, stream: true },
    middleware: [bearerAuth],
    parseAs: 'stream',
    signal: options.signal,
    headers: { accept: 'text/event-stream' },
  })
  if (!response.ok) throw await failure('/v1/chat/completions', response)
  if (!response.body) throw new APIError('GoAPI answered a stream without a body', { status: response.status })
  for await (const data of sseData(response.body)) {
    if (data === '[DONE]' || data === '[none]') return
    let chunk: unknown
    try {
      chunk = JSON.parse(data)
    } catch {
      throw new APIError(`GoAPI sent a stream event that is not JSON: ${data.slice(0, 200)}`, {
        status: response.status,
      })
    }
    yield chunk as ChatChunk
  }
}

/** The text of a streamed completion so far: the `delta.content` of every chunk of choice 0, joined. */
export async function collectChatText(chunks: AsyncIterable<ChatChunk>): Promise<string> {
  let text = ''
  for await (const chunk of chunks) {
    const content = chunk.choices.find((c) => (c.index ?? 0) === 0)?.delta?.content
    if (typeof content === 'string') text += content
  }
  return text
}

/** Embedding vectors for one or more inputs (`POST /v1/embeddings`). */
export async function createEmbeddings(
  client: GoApiClient,
  request: EmbeddingRequest,
  options: LlmCallOptions = {},
): Promise<EmbeddingList> {
  const { response } = await client.raw.POST('/v1/embeddings', {
    body: request,
    middleware: [bearerAuth],
    parseAs: 'stream',
    signal: options.signal,
  })
  if (!response.ok) throw await failure('/v1/embeddings', response)
  return (await response.json()) as EmbeddingList
}

/** The `data` of each server-sent event (multi-line data joined with `\n`; comments and other fields skipped). */
export async function* sseData(body: ReadableStream<Uint8Array>): AsyncGenerator<string, void, undefined> {
  const reader = body.getReader()
  const decoder = new TextDecoder()
  let buffer = ''
  let data: string[] = []
  try {
    for (;;) {
      const { value, done } = await reader.read()
      if (done) break
      buffer += decoder.decode(value, { stream: true })
      let newline: number
      while ((newline = buffer.search(/\r\n|\r|\n/)) >= 0) {
        const line = buffer.slice(0, newline)
        buffer = buffer.slice(newline + (buffer.startsWith('\r\n', newline) ? 2 : 1))
        if (line === '') {
          if (data.length) yield data.join('\n')
          data = []
        } else if (line.startsWith('data:')) {
          data.push(line.slice(line.startsWith('data: ') ? 6 : 5))
        }
      }
    }
    buffer += decoder.decode()
    if (buffer.startsWith('data:')) data.push(buffer.slice(buffer.startsWith('data: ') ? 6 : 5))
    if (data.length) yield data.join('\n')
  } finally {
    await reader.cancel().catch(() => undefined)
  }
}

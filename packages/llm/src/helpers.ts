// The OpenAI-compatible chat helpers on top of the generated route functions: a non-streamed
// completion, a streamed one as an async iterable of typed chunks, and embeddings. The routes take
// the key as `Authorization: Bearer`; defineOperation sends it so and maps errors to the client's
// typed errors.
import { defineOperation, sseData, type GoApiClient, type OperationOptions } from '@goapi/client'
import type { components } from '@goapi/types'
import { createChatCompletion, createEmbedding } from './generated/operations.js'

type Schemas = components['schemas']
type ChatRequest = Schemas['LlmChatCompletionRequest']
type ChatCompletion = Schemas['LlmChatCompletion']
type ChatChunk = Schemas['LlmChatCompletionChunk']
type EmbeddingRequest = Schemas['LlmEmbeddingRequest']
type EmbeddingList = Schemas['LlmEmbeddingList']

/** The `data` of each server-sent event of a stream (from `@goapi/client`). */
export { sseData }

/** `signal`, `timeoutMs` (default: the client's) and `baseUrl` (such as `https://proxy.goapi.xyz`). */
export type LlmCallOptions = OperationOptions

const chatStream = /* @__PURE__ */ defineOperation('post', '/v1/chat/completions', {
  auth: 'bearer',
  bodyType: 'json',
  response: 'stream',
})

/** A chat completion, not streamed (`POST /v1/chat/completions`; `stream` is sent as `false`). */
export async function chatCompletion(
  client: GoApiClient,
  request: ChatRequest,
  options: LlmCallOptions = {},
): Promise<ChatCompletion> {
  return createChatCompletion(client, { ...request, stream: false }, options)
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
  yield* await chatStream(client, { ...request, stream: true }, options)
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
  return createEmbedding(client, request, options)
}

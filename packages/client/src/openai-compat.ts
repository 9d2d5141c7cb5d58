// The OpenAI-compatible routes (`/v1/chat/completions`, `/v1/embeddings`, ...) take the API key as
// `Authorization: Bearer`, the task API as `x-api-key`. This middleware, given per request to
// `rawClient(client)`, moves the key the client already set from one header to the other, so the key
// never has to leave the client.
import type { Middleware } from 'openapi-fetch'

/**
 * openapi-fetch middleware for the OpenAI-compatible routes: sends the client's API key as
 * `Authorization: Bearer <key>` instead of `x-api-key`. Pass it per request:
 * `rawClient(goapi).POST('/v1/embeddings', { body, middleware: [bearerAuth] })`.
 */
export const bearerAuth: Middleware = {
  onRequest({ request }) {
    const key = request.headers.get('x-api-key')
    if (key) {
      request.headers.set('authorization', `Bearer ${key}`)
      request.headers.delete('x-api-key')
    }
    return request
  },
}

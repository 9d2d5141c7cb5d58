// Hono (Node, Bun, Deno, workers): hand the raw Web Request to the proxy.
import { Hono } from 'hono'
import { createProxy } from '@goapi/server'

export function createApp(env: { GOAPI_API_KEY?: string; GOAPI_BASE_URL?: string }): Hono {
  const goapi = createProxy({
    apiKey: env.GOAPI_API_KEY,
    baseUrl: env.GOAPI_BASE_URL,
    basePath: '/api/goapi',
    allow: { models: ['Qubico/flux1-schnell'], taskTypes: ['txt2img'] },
  })
  const app = new Hono()
  app.all('/api/goapi/*', (c) => goapi(c.req.raw))
  app.get('/health', (c) => c.json({ ok: true }))
  return app
}

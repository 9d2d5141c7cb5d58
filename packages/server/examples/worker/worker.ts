// A Cloudflare Worker: the key is a secret binding (`wrangler secret put GOAPI_API_KEY`).
import { createProxy, type ProxyHandler } from '@goapi/server'

interface Env {
  GOAPI_API_KEY: string
  GOAPI_BASE_URL?: string
}

let goapi: ProxyHandler | undefined

export default {
  fetch(request: Request, env: Env): Promise<Response> {
    goapi ??= createProxy({
      apiKey: env.GOAPI_API_KEY,
      baseUrl: env.GOAPI_BASE_URL,
      basePath: '/api/goapi',
      allow: { models: ['Qubico/flux1-schnell'], taskTypes: ['txt2img'] },
    })
    return goapi(request)
  },
}

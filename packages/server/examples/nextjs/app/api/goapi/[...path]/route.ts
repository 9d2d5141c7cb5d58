// Next.js (app router): app/api/goapi/[...path]/route.ts. The key stays in the server's environment.
import { createProxy, type ProxyHandler } from '@goapi/server'

// Made on the first request: `next build` loads this module too, and the build has no key.
let goapi: ProxyHandler | undefined

function handler(request: Request): Promise<Response> {
  goapi ??= createProxy({
    apiKey: process.env.GOAPI_API_KEY,
    baseUrl: process.env.GOAPI_BASE_URL, // unset in production: GoAPI's own hosts
    basePath: '/api/goapi',
    allow: { models: ['Qubico/flux1-schnell'], taskTypes: ['txt2img'] },
  })
  return goapi(request)
}

export const POST = handler
export const GET = handler
export const DELETE = handler
// Task reads and event streams must never be cached or prerendered.
export const dynamic = 'force-dynamic'

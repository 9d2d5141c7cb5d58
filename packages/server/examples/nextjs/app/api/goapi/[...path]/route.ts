// Next.js (app router): app/api/goapi/[...path]/route.ts. The key stays in the server's environment.
import { createProxy } from '@goapi/server'

const goapi = createProxy({
  apiKey: process.env.GOAPI_API_KEY,
  baseUrl: process.env.GOAPI_BASE_URL, // unset in production: GoAPI's own hosts
  basePath: '/api/goapi',
  allow: { models: ['Qubico/flux1-schnell'], taskTypes: ['txt2img'] },
})

export const POST = goapi
export const GET = goapi
export const DELETE = goapi
// Task reads and event streams must never be cached or prerendered.
export const dynamic = 'force-dynamic'

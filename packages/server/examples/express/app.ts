// Express: mount the proxy before any body parser (it reads the raw body itself, under its cap).
import express from 'express'
import { createProxy, toNodeListener } from '@goapi/server'

export function createApp(env: { GOAPI_API_KEY?: string; GOAPI_BASE_URL?: string }): express.Express {
  const goapi = createProxy({
    apiKey: env.GOAPI_API_KEY,
    baseUrl: env.GOAPI_BASE_URL,
    basePath: '/api/goapi',
    allow: { models: ['Qubico/flux1-schnell'], taskTypes: ['txt2img'] },
    // The app's own rules: here, only signed-in users (a session cookie) may call GoAPI.
    authorize: (_call, request) =>
      request.headers.get('cookie')?.includes('session=')
        ? undefined
        : Response.json({ code: 401, message: 'Sign in first' }, { status: 401 }),
  })
  const app = express()
  app.use('/api/goapi', toNodeListener(goapi))
  app.use(express.json())
  app.get('/health', (_req, res) => {
    res.json({ ok: true })
  })
  return app
}

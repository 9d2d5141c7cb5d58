import { describe, expectTypeOf, it } from 'vitest'
import { createProxy, type AllowList, type ProxyCall, type ProxyHandler } from '../src/index.js'

describe('createProxy types', () => {
  it('the handler is a Web handler', () => {
    const goapi = createProxy({ apiKey: 'k', basePath: '/api/goapi', allow: { models: ['Qubico/flux1-schnell'] } })
    expectTypeOf(goapi).toEqualTypeOf<ProxyHandler>()
    expectTypeOf(goapi).parameter(0).toEqualTypeOf<Request>()
    expectTypeOf(goapi).returns.toEqualTypeOf<Promise<Response>>()
  })

  it('allowlists take known models and task types only', () => {
    expectTypeOf<{ models: ['Qubico/flux1-schnell']; taskTypes: ['txt2img'] }>().toMatchTypeOf<AllowList>()
    // @ts-expect-error: not a model GoAPI has
    const wrongModel: AllowList = { models: ['Qubico/flux9'] }
    // @ts-expect-error: not a task type of any model
    const wrongType: AllowList = { models: ['Qubico/flux1-schnell'], taskTypes: ['txt2everything'] }
    void wrongModel
    void wrongType
  })

  it('the allow function sees a discriminated call', () => {
    createProxy({
      apiKey: 'k',
      basePath: '/x',
      allow: (call: ProxyCall) => {
        if (call.action === 'create') {
          expectTypeOf(call.model).toEqualTypeOf<string>()
          return call.model.startsWith('Qubico/')
        }
        if (call.action === 'route') return call.route.path === '/v1/chat/completions'
        expectTypeOf(call.taskId).toEqualTypeOf<string>()
        return true
      },
    })
  })
})

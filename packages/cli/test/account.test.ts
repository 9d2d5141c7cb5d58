import { describe, expect, it } from 'vitest'
import { publicAccountInfo } from '../src/commands/account.js'

describe('publicAccountInfo', () => {
  it('drops the api_key GoAPI may echo and keeps the rest', () => {
    const info = { id: 7, name: 'team', api_key: 'sk-live-secret', wallet: { point_remain: 10 } }
    const safe = publicAccountInfo(info)
    expect(JSON.stringify(safe)).not.toContain('sk-live-secret')
    expect(safe).toEqual({ id: 7, name: 'team', wallet: { point_remain: 10 } })
    expect(info.api_key).toBe('sk-live-secret')
  })
})

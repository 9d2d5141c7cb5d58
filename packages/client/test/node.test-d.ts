// Public types of @goapi/client/node.
import { describe, expectTypeOf, it } from 'vitest'
import { GoApiError } from '../src/index.js'
import { DownloadError, downloadFiles, outputFiles, type DownloadFailure, type FileResult } from '../src/node/index.js'

describe('@goapi/client/node', () => {
  it('results are a union narrowed by ok', async () => {
    const results = await downloadFiles(outputFiles({}), { dir: 'out' })
    expectTypeOf(results).toEqualTypeOf<FileResult[]>()
    const r = results[0] as FileResult
    if (r.ok) {
      expectTypeOf(r.path).toEqualTypeOf<string>()
      expectTypeOf(r.bytes).toEqualTypeOf<number>()
      // @ts-expect-error: a saved file has no error
      void r.error
    } else {
      expectTypeOf(r.error).toEqualTypeOf<DownloadError>()
      expectTypeOf(r.error.reason).toEqualTypeOf<DownloadFailure>()
      // @ts-expect-error: a failed file has no path
      void r.path
    }
  })

  it('DownloadError is a GoApiError; allowPrivateHosts takes a flag or a per-address rule', () => {
    expectTypeOf<DownloadError>().toExtend<GoApiError>()
    expectTypeOf<DownloadFailure>().toEqualTypeOf<
      | 'too_large'
      | 'timeout'
      | 'blocked_host'
      | 'bad_redirect'
      | 'http_status'
      | 'exists'
      | 'unsafe_path'
      | 'aborted'
      | 'network'
    >()
    void downloadFiles([], {
      dir: 'out',
      allowPrivateHosts: (address, url) => address === '10.0.0.2' && url.port === '',
    })
    // @ts-expect-error: dir is required
    void downloadFiles([], {})
  })
})

// Child process: the simulator, on 127.0.0.1, until the parent says `close`.
import { startMock } from '@goapi/mock'

const latency = JSON.parse(process.argv[2] ?? '{}') as { pendingMs?: number; processingMs?: number }
const extra = JSON.parse(process.argv[3] ?? '{}') as Pick<NonNullable<Parameters<typeof startMock>[0]>, 'accounts'>
const mock = await startMock({ latency, maxTasks: 100_000, ...extra })
process.send?.({ type: 'ready', url: mock.url })
process.on('message', (message: { type?: string }) => {
  if (message.type !== 'close') return
  void mock.close().finally(() => process.disconnect())
})

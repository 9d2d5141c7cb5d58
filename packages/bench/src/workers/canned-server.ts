// Child process: the canned server (fixed envelopes, see ../canned.ts) on 127.0.0.1, until the
// parent says `close`.
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { CannedTasks, cannedHandler } from '../canned.js'

const { completeAfterMs } = JSON.parse(process.argv[2] ?? '{}') as { completeAfterMs?: number }
const tasks = new CannedTasks(completeAfterMs ?? 0)
const server = createServer({ keepAliveTimeout: 60_000 }, cannedHandler(tasks))
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo
  process.send?.({ type: 'ready', url: `http://127.0.0.1:${port}` })
})
process.on('message', (message: { type?: string }) => {
  if (message.type !== 'close') return
  server.closeAllConnections()
  server.close(() => process.disconnect())
})

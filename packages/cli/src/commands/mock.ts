// goapi mock: the simulator in the foreground until Ctrl-C.
import { startMock } from '@goapi/mock'
import { simulatorLatency } from '../backend.js'
import { CliError, EXIT } from '../errors.js'

export async function mockCommand(options: { port: string; quiet: boolean }): Promise<number> {
  const port = Number(options.port)
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new CliError(`--port must be 0..65535, got "${options.port}"`, EXIT.usage)
  const mock = await startMock({
    port,
    latency: simulatorLatency(),
    ...(options.quiet ? {} : { log: (line: string) => process.stderr.write(`${line}\n`) }),
  })
  process.stdout.write(
    `GoAPI simulator listening on ${mock.url}\nUse it with: GOAPI_API_KEY=any GOAPI_BASE_URL=${mock.url} goapi run ...   (Ctrl-C stops it)\n`,
  )
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop)
      process.off('SIGTERM', stop)
      void mock.close().then(() => resolve(EXIT.ok))
    }
    process.on('SIGINT', stop)
    process.on('SIGTERM', stop)
  })
}

// Writing answers: whole, cut half-way (a truncated body) or slowly (head and half the body now,
// the rest later), and the broken answers faults ask for.
import { STATUS_CODES, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http'
import type { Fault } from './faults.js'
import { json, type Reply } from './http.js'

const HTML_PAGE = (status: number) =>
  `<html>\r\n<head><title>${status} ${STATUS_CODES[status] ?? 'Error'}</title></head>\r\n<body>\r\n<center><h1>${status} ${STATUS_CODES[status] ?? 'Error'}</h1></center>\r\n<hr><center>goapi-mock</center>\r\n</body>\r\n</html>\r\n`

/** The answer a fault gives instead of (or on top of) the real one. */
export function faultReply(fault: Fault, real: Reply | undefined): Reply {
  const headers: OutgoingHttpHeaders = fault.retryAfter !== undefined ? { 'retry-after': String(fault.retryAfter) } : {}
  if (fault.body === 'html') {
    const status = fault.status ?? 502
    return {
      status,
      headers: { ...headers, 'content-type': 'text/html; charset=utf-8' },
      body: Buffer.from(HTML_PAGE(status), 'utf8'),
    }
  }
  if (fault.body === 'non-json') {
    const status = fault.status ?? 503
    return {
      status,
      headers: { ...headers, 'content-type': 'text/plain; charset=utf-8' },
      body: Buffer.from(fault.message ?? `${STATUS_CODES[status] ?? 'Error'} (simulated)`, 'utf8'),
    }
  }
  const status = fault.status ?? (fault.retryAfter !== undefined ? 429 : (real?.status ?? 500))
  if (real && fault.status === undefined && fault.retryAfter === undefined)
    return { ...real, headers: { ...real.headers, ...headers } }
  return json(
    status,
    { code: status, message: fault.message ?? `${STATUS_CODES[status] ?? 'Error'} (simulated fault)` },
    headers,
  )
}

export function send(req: IncomingMessage, res: ServerResponse, reply: Reply, truncate: boolean): void {
  if (res.destroyed) return
  res.writeHead(reply.status, { ...reply.headers, 'content-length': reply.body.length })
  if (!truncate) {
    res.end(reply.body)
    return
  }
  res.write(reply.body.subarray(0, Math.floor(reply.body.length / 2)), () => res.destroy())
  req.resume()
}

/** Sends the head and half the body now, the rest after `wait()` (unless the client left meanwhile). */
export async function sendSlowly(
  req: IncomingMessage,
  res: ServerResponse,
  reply: Reply,
  wait: () => Promise<void>,
): Promise<void> {
  if (res.destroyed) return
  const half = Math.floor(reply.body.length / 2)
  res.writeHead(reply.status, { ...reply.headers, 'content-length': reply.body.length })
  res.write(reply.body.subarray(0, half))
  req.resume()
  await wait()
  if (!res.destroyed) res.end(reply.body.subarray(half))
}

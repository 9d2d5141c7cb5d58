// Builds an operation's example request from the spec and checks an answer against the
// operation's response schema: shared by the route test (direct) and the Prism proxy test.
import type { MockServer, SpecIndex } from '../../src/index.js'
import { chooseAnswer } from '../../src/answers.js'
import type { Operation } from '../../src/operations.js'
import { renderFile } from '../../src/files/index.js'

type Node = Record<string, unknown>

/** Every example body of an operation: its media examples, else its schema's examples ([undefined] without a body). */
export function exampleBodies(spec: SpecIndex, op: Operation): unknown[] {
  if (!op.body) return [undefined]
  if (op.id === 'createTask') {
    const first = spec.catalog.tasks.find((t) => t.family === 'kling') ?? spec.catalog.tasks[0]
    return [first ? spec.example(first.request) : undefined]
  }
  const media = spec.at(op.body.schema.replace(/\/schema$/, '')) as Node
  if ('example' in media) return [media.example]
  const examples = media.examples as Record<string, { value: unknown }> | undefined
  if (examples) return Object.values(examples).map((e) => e.value)
  const ref = (media.schema as Node).$ref as string
  return (spec.at(ref)?.examples as unknown[] | undefined) ?? [undefined]
}

/** Creates a task (pending: Kling stays pending in these tests) and returns its id. */
async function pendingTask(mock: MockServer, key: string): Promise<string> {
  const entry = mock.spec.catalog.tasks.find((t) => t.family === 'kling')
  const res = await fetch(`${mock.url}/api/v1/task`, {
    method: 'POST',
    headers: { 'x-api-key': key, 'content-type': 'application/json' },
    body: JSON.stringify(mock.spec.example(entry?.request ?? '')),
  })
  return ((await res.json()) as { data: { task_id: string } }).data.task_id
}

/** Calls `op` at `base` (the simulator, or a proxy in front of it) with the spec's example request. */
export async function exampleCall(
  mock: MockServer,
  base: string,
  op: Operation,
  key: string,
  body: unknown = exampleBodies(mock.spec, op)[0],
): Promise<Response> {
  let path = op.path
  for (const p of op.parameters.filter((x) => x.in === 'path')) {
    const value = p.name === 'task_id' && op.path.startsWith('/api/v1/') ? await pendingTask(mock, key) : p.example
    path = path.replace(`{${p.name}}`, encodeURIComponent(String(value)))
  }
  const query = new URLSearchParams()
  for (const p of op.parameters.filter((x) => x.in === 'query'))
    if (p.example !== undefined) query.set(p.name, String(p.example))
  if (op.id === 'cancelTasks') query.set('created_before', String(Math.floor(Date.now() / 1000) + 60))
  const headers: Record<string, string> = { 'x-api-key': key, authorization: `Bearer ${key}` }
  let payload: BodyInit | undefined
  if (body !== undefined && op.body?.type === 'multipart/form-data') {
    const form = new FormData()
    for (const [k, v] of Object.entries(body as Node)) {
      if (typeof v === 'string' && /^<.*bytes>$/.test(v)) {
        const kind = /mp3|audio/i.test(v) ? 'wav' : 'png'
        form.append(k, new Blob([new Uint8Array(await renderFile(kind, k))]), `${k}.${kind}`)
      } else form.append(k, String(v))
    }
    payload = form
  } else if (body !== undefined) {
    headers['content-type'] = 'application/json'
    payload = JSON.stringify(body)
  }
  const qs = query.toString()
  return fetch(`${base}${path}${qs ? `?${qs}` : ''}`, { method: op.method, headers, body: payload })
}

/** Checks an answer against the operation: 200, a declared media type, a body valid against its schema. */
export async function validateAnswer(spec: SpecIndex, op: Operation, res: Response): Promise<string[]> {
  const raw = Buffer.from(await res.arrayBuffer())
  if (res.status !== 200) return [`status ${res.status}: ${raw.toString('utf8').slice(0, 300)}`]
  const type = (res.headers.get('content-type') ?? '').split(';')[0]?.trim() ?? ''
  const declared = op.answers.find((a) => a.type === type)
  if (!declared) return [`content-type ${type} is not among ${op.answers.map((a) => a.type).join(', ')}`]
  if (type === 'text/event-stream') {
    const events = raw
      .toString('utf8')
      .split('\n')
      .filter((l) => l.startsWith('data:'))
      .map((l) => l.slice(5).trim())
      .filter((d) => d !== '[DONE]')
    if (events.length === 0) return ['no events']
    return events.flatMap((e, i) =>
      spec.checkAt(declared.schema, JSON.parse(e)).map((x) => `event ${i}: ${x.path} ${x.message}`),
    )
  }
  if (type === 'application/json')
    return spec.checkAt(declared.schema, JSON.parse(raw.toString('utf8'))).map((x) => `${x.path} ${x.message}`)
  if (type.startsWith('text/'))
    return spec.checkAt(declared.schema, raw.toString('utf8')).map((x) => `${x.path} ${x.message}`)
  return raw.length > 0 ? [] : ['empty binary body']
}

export { chooseAnswer }

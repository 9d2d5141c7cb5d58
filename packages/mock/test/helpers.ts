import type { MockServer } from '../src/index.js'

export interface Answer<T = Record<string, unknown>> {
  status: number
  headers: Headers
  body: T
}

export async function call<T = Record<string, unknown>>(
  mock: MockServer,
  method: string,
  path: string,
  key: string | undefined,
  body?: unknown,
): Promise<Answer<T>> {
  const res = await fetch(`${mock.url}${path}`, {
    method,
    headers: {
      ...(key ? { 'x-api-key': key } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  return { status: res.status, headers: res.headers, body: (await res.json()) as T }
}

export interface TaskBody {
  code: number
  message: string
  data: {
    task_id: string
    status: string
    output: Record<string, unknown> | null
    error: { code: number; message: string; raw_message: string }
    meta: { usage: { frozen: number; consume: number } }
  }
}

export const FLUX = { model: 'Qubico/flux1-dev', task_type: 'txt2img', input: { prompt: 'a red fox' } }

/** The example request of a task type from the spec. */
export function exampleRequest(
  mock: MockServer,
  family: string,
  taskType: string,
): { model: string; task_type: string; input: Record<string, unknown> } {
  const entry = mock.spec.catalog.tasks.find((t) => t.family === family && t.taskType === taskType)
  if (!entry) throw new Error(`no ${family} ${taskType} in the catalog`)
  const example = mock.spec.example(entry.request) as {
    model: string
    task_type: string
    input: Record<string, unknown>
  }
  return { model: example.model, task_type: example.task_type, input: example.input }
}

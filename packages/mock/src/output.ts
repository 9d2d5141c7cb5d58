// Builds a completed task's output from its output schema's example, with every URL replaced by
// a file the simulator serves itself (deterministic from the task's input).
import { kindOfUrl, type FileKind } from './files/index.js'

export interface OutputFile {
  name: string
  kind: FileKind
}

/** Replaces each http(s) URL in `template` with `${base}/files/${taskId}/${n}.${ext}`. */
export function materialize(template: unknown, base: string, taskId: string): { output: unknown; files: OutputFile[] } {
  const files: OutputFile[] = []
  const walk = (value: unknown): unknown => {
    if (typeof value === 'string' && /^https?:\/\//.test(value)) {
      const kind = kindOfUrl(value)
      const name = `${files.length}.${kind}`
      files.push({ name, kind })
      return `${base}/files/${taskId}/${name}`
    }
    if (Array.isArray(value)) return value.map(walk)
    if (typeof value === 'object' && value !== null)
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v)]))
    return value
  }
  return { output: walk(structuredClone(template ?? {})), files }
}

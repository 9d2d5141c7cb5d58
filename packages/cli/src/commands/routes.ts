// goapi <family> <route>: every operation of the spec's catalog that is not a task (LLM chat,
// speech, transcription, embeddings, gpt-image, GPTs conversations, uploads, Suno's legacy routes)
// as a command, built from `catalog.json` `operations` and the spec's request schemas: one
// mechanism, no command per route. Streams print as they arrive, binary answers and images are
// saved as files, everything else is printed.
import { readFile } from 'node:fs/promises'
import { basename } from 'node:path'
import { Command } from 'commander'
import { defineOperation, type GoApiClient, type OperationResponse } from '@goapi/client'
import { connect, type GlobalOptions } from '../backend.js'
import { DEFAULT_OUT_ROOT, downloadSettings, shownPath, type DownloadFlags } from '../download.js'
import { CliError, EXIT } from '../errors.js'
import { Interrupt } from '../interrupt.js'
import { jsonLine, jsonText, shellWord, show, showText } from '../output.js'
import { saveAnswerFiles, saveBytes, type SavedFile } from '../save.js'
import { schemaOf, setPath, spec } from '../spec.js'
import { didYouMean } from '../suggest.js'
import { sizeText } from './follow.js'

type Schema = Record<string, unknown>

/** A catalog operation with the fields the CLI reads. */
export interface Route {
  family: string
  function: string
  operationId: string
  method: string
  path: string
  auth: 'apiKey' | 'bearer'
  servers: string[]
  bodyType: 'json' | 'multipart' | 'none'
  response: OperationResponse
  summary?: string
  deprecated?: boolean
}

export function routes(): Route[] {
  return (spec().catalog.operations ?? []) as unknown as Route[]
}

const kebab = (s: string) => s.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase()

/** A route's command name (`chat`: the first word, when unique in the family) and its aliases (`chat-completion`, `create-chat-completion`). */
export function routeNames(route: Route, family: Route[]): string[] {
  const name = kebab(route.function)
  const short = name.replace(/^create-/, '')
  const first = short.split('-')[0] ?? short
  const firstOf = (r: Route) =>
    kebab(r.function)
      .replace(/^create-/, '')
      .split('-')[0]
  const unique = family.filter((r) => firstOf(r) === first).length === 1
  return [...new Set([...(unique ? [first] : []), short, name])]
}

/**
 * Where a route's text argument goes, for the routes whose text is not a top-level `prompt` or
 * `input` string: a chat message, a GPTs message.
 */
const TEXT_TARGET: Record<string, (text: string) => Record<string, unknown>> = {
  llmCreateChatCompletion: (text) => ({ messages: [{ role: 'user', content: text }] }),
  gptsCreateConversation: (text) => ({ content: { content_type: 'text', parts: [text] } }),
  gptsAddMessage: (text) => ({ content: { content_type: 'text', parts: [text] } }),
}

/** Required fields that, when not given, take the value of the spec's first request example (the model to use, a voice). */
const FROM_EXAMPLE = new Set(['model', 'mv', 'voice'])

interface Operation {
  parameters: Array<{ name: string; in: string; required?: boolean }>
  responses?: Record<string, { content?: Record<string, unknown> }>
  requestBody?: { content: Record<string, { schema?: Schema; examples?: Record<string, { value?: unknown }> }> }
}

function operationOf(route: Route): Operation {
  const paths = (spec().doc as unknown as { paths: Record<string, Record<string, Operation>> }).paths
  const op = paths[route.path]?.[route.method]
  if (!op) throw new CliError(`The spec has no ${route.method.toUpperCase()} ${route.path}`, EXIT.failure)
  return { ...op, parameters: op.parameters ?? [] }
}

/** The request body schema with `$ref`, `allOf` and `anyOf` branches merged into one set of properties. */
function bodySchema(op: Operation): { properties: Record<string, Schema>; required: string[]; example: unknown } {
  const media = Object.values(op.requestBody?.content ?? {})[0]
  if (!media?.schema) return { properties: {}, required: [], example: undefined }
  const root = schemaOf(media.schema)
  const branches = Array.isArray(root.anyOf) ? (root.anyOf as Schema[]).map((b) => schemaOf(b)) : [root]
  const properties = Object.assign({}, ...branches.map((b) => b.properties ?? {})) as Record<string, Schema>
  // Required in every branch (a field only one `anyOf` branch requires is not needed by the other).
  const lists = branches.map((b) => (b.required as string[] | undefined) ?? [])
  const required = (lists[0] ?? []).filter((k) => lists.every((l) => l.includes(k)))
  const example = Object.values(media.examples ?? {})[0]?.value
  return { properties, required, example }
}

/** A route whose body has `stream` and whose answer may be an event stream (chat): streamed unless `--no-stream`. */
function canStream(route: Route, op: Operation): boolean {
  if (route.response === 'stream') return false
  const ok = op.responses?.['200']?.content ?? {}
  return 'stream' in bodySchema(op).properties && 'text/event-stream' in ok
}

function isBinary(schema: Schema | undefined): boolean {
  if (!schema) return false
  const s = schemaOf(schema)
  if (s.format === 'binary') return true
  const branches = [...((s.anyOf ?? s.oneOf ?? []) as Schema[]), ...(s.items ? [s.items as Schema] : [])]
  return branches.some((b) => isBinary(b))
}

function typesOf(schema: Schema | undefined): string[] {
  if (!schema) return []
  const s = schemaOf(schema)
  if (typeof s.type === 'string') return [s.type]
  if (Array.isArray(s.type)) return s.type as string[]
  return ((s.anyOf ?? s.oneOf ?? []) as Schema[]).flatMap((b) => typesOf(b))
}

export interface RouteOptions extends DownloadFlags {
  prompt?: string
  input: string[]
  inputFile?: string
  model?: string
  stream?: boolean
  download: boolean
  json: boolean
}

const collect = (value: string, previous: string[]) => [...previous, value]

/** One command per family that has routes (`goapi llm`, `goapi gpts`, ...), a subcommand per route. */
export function routeCommands(
  setExit: (code: number) => void,
  globals: (cmd: Command) => GlobalOptions,
  withDownloadOptions: (cmd: Command) => Command,
): Command[] {
  const byFamily = new Map<string, Route[]>()
  for (const route of routes()) byFamily.set(route.family, [...(byFamily.get(route.family) ?? []), route])
  const families = spec().catalog.families
  return [...byFamily].map(([family, list]) => {
    const title = families.find((f) => f.name === family)?.title ?? family
    const group = new Command(family).description(`${title}: its routes (not tasks) as commands`)
    for (const route of list) {
      const [name, ...aliases] = routeNames(route, list)
      const op = operationOf(route)
      const body = bodySchema(op)
      const sub = group
        .command(name as string)
        .aliases(aliases)
        .description(`${route.summary ?? route.function}${route.deprecated ? ' (deprecated)' : ''}`)
      const pathNames = [...route.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1] as string)
      for (const p of pathNames) sub.argument(`<${p}>`)
      const text = textTarget(route, body.properties)
      if (text) sub.argument('[text...]', 'the prompt or message')
      if (text) sub.option('-p, --prompt <text>', 'the prompt or message (the same as the text argument)')
      if (route.bodyType !== 'none') {
        sub.option(
          '-i, --input <key=value>',
          `sets a body field (dots for nested keys; repeatable)${Object.keys(body.properties).some((k) => isBinary(body.properties[k])) ? '; key=@path sends a file' : ''}`,
          collect,
          [],
        )
        sub.option('-f, --input-file <file>', 'a .json file with the request body')
      } else sub.setOptionValue('input', [])
      if ('model' in body.properties) sub.option('-m, --model <model>', 'the model (default: the spec example’s)')
      if (canStream(route, op)) sub.option('--no-stream', 'wait for the whole answer instead of streaming it')
      sub.option('-o, --out <dir>', 'where to save files (default ./goapi-output/<id>/)')
      sub.option('--no-download', 'do not save files')
      sub.option(
        '--json',
        'print the answer as JSON (with the paths of saved files; a stream: one event per line)',
        false,
      )
      withDownloadOptions(sub)
      sub.action(async (...args: unknown[]) => {
        const cmd = args.at(-1) as Command
        const options = args.at(-2) as RouteOptions
        const positional = args.slice(0, -2) as Array<string | string[]>
        const params = Object.fromEntries(pathNames.map((p, i) => [p, positional[i] as string]))
        const words = text ? ((positional[pathNames.length] as string[] | undefined) ?? []) : []
        const prompt = options.prompt ?? (words.length > 0 ? words.join(' ') : undefined)
        setExit(await runRoute(route, op, params, prompt, options, globals(cmd)))
      })
    }
    return group
  })
}

function textTarget(
  route: Route,
  properties: Record<string, Schema>,
): ((text: string) => Record<string, unknown>) | undefined {
  const special = TEXT_TARGET[route.operationId]
  if (special) return special
  for (const key of ['prompt', 'input'])
    if (properties[key] && typesOf(properties[key]).includes('string')) return (text) => ({ [key]: text })
  return undefined
}

/** Builds the body from the flags; `--input key=@file` reads a file (sent as a file in a multipart body). */
async function buildBody(
  route: Route,
  op: Operation,
  prompt: string | undefined,
  options: RouteOptions,
): Promise<Record<string, unknown> | undefined> {
  if (route.bodyType === 'none') return undefined
  const schema = bodySchema(op)
  let body: Record<string, unknown> = {}
  if (options.inputFile) {
    let parsed: unknown
    try {
      parsed = JSON.parse(await readFile(options.inputFile, 'utf8'))
    } catch (error) {
      throw new CliError(`Cannot read ${options.inputFile} as JSON: ${(error as Error).message}`, EXIT.usage)
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw new CliError(`${options.inputFile} must hold a JSON object (the request body)`, EXIT.usage)
    body = parsed as Record<string, unknown>
  }
  for (const pair of options.input) {
    const eq = pair.indexOf('=')
    if (eq <= 0) throw new CliError(`--input expects key=value, got "${pair}"`, EXIT.usage)
    const path = pair.slice(0, eq).split('.')
    const raw = pair.slice(eq + 1)
    const field = schema.properties[path[0] as string]
    let value: unknown
    if (raw.startsWith('@') && path.length === 1 && isBinary(field)) {
      const file = raw.slice(1)
      const bytes = await readFile(file).catch((error: Error) => {
        throw new CliError(`Cannot read ${file}: ${error.message}`, EXIT.usage)
      })
      value = new File([bytes], basename(file))
    } else if (path.length === 1 && typesOf(field).length === 1 && typesOf(field)[0] === 'string') value = raw
    else {
      try {
        value = JSON.parse(raw)
      } catch {
        value = raw
      }
    }
    setPath(body, path, value)
  }
  const text = textTarget(route, schema.properties)
  if (prompt !== undefined && text) body = { ...body, ...text(prompt) }
  if (options.model !== undefined) body.model = options.model
  if (options.stream !== undefined && schema.properties.stream && route.response !== 'stream')
    body.stream = options.stream
  const example = (schema.example ?? {}) as Record<string, unknown>
  for (const key of schema.required)
    if (body[key] === undefined && FROM_EXAMPLE.has(key) && example[key] !== undefined) body[key] = example[key]
  const unknown = Object.keys(body).filter((k) => !(k in schema.properties))
  if (unknown.length > 0 && Object.keys(schema.properties).length > 0) {
    const hints = unknown.map((k) => didYouMean(k, Object.keys(schema.properties))).join('')
    process.stderr.write(
      `warning: ${route.family} ${kebab(route.function)} does not document ${unknown.map((k) => JSON.stringify(show(k))).join(', ')}; sent as given.${hints}\n`,
    )
  }
  const missing = schema.required.filter((k) => body[k] === undefined)
  if (missing.length > 0) {
    const how = missing.map((k) => (isBinary(schema.properties[k]) ? `-i ${k}=@FILE` : `-i ${k}=…`)).join(' ')
    throw new CliError(
      `${route.family} ${kebab(route.function)} needs ${missing.join(', ')}: give ${text && missing.some((k) => k in text('')) ? 'the text argument or ' : ''}${how}`,
      EXIT.usage,
    )
  }
  return body
}

type Call = (client: GoApiClient, ...args: unknown[]) => Promise<unknown>

export async function runRoute(
  route: Route,
  op: Operation,
  params: Record<string, string>,
  prompt: string | undefined,
  options: RouteOptions,
  globals: GlobalOptions,
): Promise<number> {
  const body = await buildBody(route, op, prompt, options)
  downloadSettings(options, false)
  const streamed = route.response === 'stream' || body?.stream === true
  const response: OperationResponse = streamed ? 'stream' : route.response
  const files = Object.keys(bodySchema(op).properties).filter((k) => isBinary(bodySchema(op).properties[k]))
  const query = op.parameters.filter((p) => p.in === 'query').map((p) => p.name)
  const call = defineOperation(
    route.method as 'post',
    route.path as '/v1/embeddings',
    {
      auth: route.auth,
      servers: route.servers,
      bodyType: route.bodyType,
      response,
      query,
      files,
    } as never,
  ) as unknown as Call

  const log = (line: string) => process.stderr.write(`${line}\n`)
  const backend = await connect(globals, log)
  const interrupt = new Interrupt()
  // Offline, every route is on the simulator's port (its own hosts too); online, `--base-url` overrides the route's own host.
  const baseUrl = backend.offline ? backend.client.baseUrl : globals.baseUrl
  const callOptions = { signal: interrupt.signal, ...(baseUrl ? { baseUrl } : {}) }
  const args: unknown[] = [
    ...(Object.keys(params).length > 0 ? [params] : []),
    ...(body !== undefined ? [body] : []),
    callOptions,
  ]
  const settings = downloadSettings(options, backend.privateBase)
  try {
    const answer = await call(backend.client, ...args)
    if (streamed) return await printStream(route, answer as AsyncIterable<unknown>, options)
    let saved: SavedFile[] = []
    let failed: string[] = []
    const folder = {
      out: options.out,
      root: DEFAULT_OUT_ROOT,
      name: answerId(answer) ?? `${route.family}-${kebab(route.function)}-${Date.now()}`,
    }
    if (answer instanceof Blob) {
      if (!options.download) throw new CliError('This route answers with a file: drop --no-download', EXIT.usage)
      saved = [
        await saveBytes(
          folder,
          kebab(route.function).replace(/^create-/, ''),
          new Uint8Array(await answer.arrayBuffer()),
          answer.type,
        ),
      ]
    } else if (options.download) {
      ;({ saved, failed } = await saveAnswerFiles(answer, folder, settings, interrupt.signal))
    }
    for (const line of failed) process.stderr.write(`goapi: ${line}\n`)
    if (options.json) {
      const shown =
        answer instanceof Blob ? {} : typeof answer === 'object' && answer !== null ? answer : { text: answer }
      process.stdout.write(`${jsonText({ ...shown, saved_files: saved })}\n`)
    } else {
      const text = answer instanceof Blob ? undefined : answerText(answer)
      if (text !== undefined) process.stdout.write(`${showText(text)}\n`)
      else if (!(answer instanceof Blob) && saved.length === 0) process.stdout.write(`${jsonText(answer)}\n`)
      for (const f of saved) process.stdout.write(`Saved ${shownPath(f.path)} (${sizeText(f.bytes)})\n`)
    }
    return failed.length > 0 ? EXIT.failure : EXIT.ok
  } catch (error) {
    if (interrupt.interrupted) {
      log('Interrupted.')
      return EXIT.interrupted
    }
    throw error
  } finally {
    interrupt.dispose()
    await backend.close()
  }
}

function answerId(answer: unknown): string | undefined {
  const id = (answer as { id?: unknown } | null)?.id
  return typeof id === 'string' && id !== '' ? id : undefined
}

/** The text of an answer, where it has one: a chat reply, a transcript, a plain-text answer. */
export function answerText(answer: unknown): string | undefined {
  if (typeof answer === 'string') return answer
  if (typeof answer !== 'object' || answer === null) return undefined
  const a = answer as { choices?: Array<{ message?: { content?: unknown } }>; text?: unknown }
  const reply = a.choices?.map((c) => c.message?.content).filter((c): c is string => typeof c === 'string')
  if (reply && reply.length > 0) return reply.join('\n')
  if (typeof a.text === 'string') return a.text
  return undefined
}

/**
 * The text an event adds: a chat chunk's `delta.content`, or for an event that carries the whole
 * message so far (GPTs), the part after what was already shown.
 */
export function eventText(event: unknown): { text: string; whole: boolean } | undefined {
  if (typeof event !== 'object' || event === null) return undefined
  const e = event as {
    choices?: Array<{ delta?: { content?: unknown } }>
    message?: { content?: { parts?: unknown[] } } | null
  }
  const delta = e.choices?.map((c) => c.delta?.content).filter((c): c is string => typeof c === 'string')
  if (delta && delta.length > 0) return { text: delta.join(''), whole: false }
  const parts = e.message?.content?.parts
  if (Array.isArray(parts))
    return { text: parts.filter((p): p is string => typeof p === 'string').join(''), whole: true }
  return undefined
}

async function printStream(route: Route, events: AsyncIterable<unknown>, options: RouteOptions): Promise<number> {
  let shown = ''
  let conversation: string | undefined
  for await (const event of events) {
    if (options.json) {
      process.stdout.write(`${jsonLine(event)}\n`)
      continue
    }
    const id = (event as { conversation_id?: unknown } | null)?.conversation_id
    if (typeof id === 'string') conversation = id
    const part = eventText(event)
    if (!part) continue
    // A whole message that does not continue what was shown (rewritten): print only what is new from here on.
    const next = part.whole ? (part.text.startsWith(shown) ? part.text.slice(shown.length) : '') : part.text
    if (next === '') continue
    shown += next
    process.stdout.write(showText(next))
  }
  if (!options.json) {
    process.stdout.write('\n')
    if (conversation && route.family === 'gpts')
      process.stderr.write(
        `Conversation ${show(conversation)}: continue it with: goapi gpts add-message ${shellWord(conversation)} "…"\n`,
      )
  }
  return EXIT.ok
}

// What route functions need from a client made by `createClient` and the public interface does not
// show: its key and its unguarded `fetch` (to read a binary answer under its own cap), and its limits.

export interface ClientInternals {
  apiKey: string
  /** The client's `fetch` before the guard (the guard is applied per call, with that call's cap). */
  fetch: typeof fetch
  maxResponseBytes: number
  maxResponseDepth: number
}

const registry = new WeakMap<object, ClientInternals>()

export function registerClient(client: object, internals: ClientInternals): void {
  registry.set(client, internals)
}

export function internalsOf(client: object): ClientInternals | undefined {
  return registry.get(client)
}

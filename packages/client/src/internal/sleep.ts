import { AbortError } from '../errors.js'

/** Waits `ms`, or rejects with {@link AbortError} as soon as `signal` aborts. Leaves no timer behind. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError(signal))
    const onAbort = () => {
      clearTimeout(timer)
      reject(abortError(signal))
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}

export function abortError(signal: AbortSignal | undefined): AbortError {
  const reason: unknown = signal?.reason
  const detail = reason instanceof Error ? reason.message : typeof reason === 'string' ? reason : undefined
  return new AbortError(`The operation was aborted${detail ? `: ${detail}` : ''}`, { cause: reason })
}

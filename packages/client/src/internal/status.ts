import type { TaskStatus } from '@goapi/types'

/** The five states every raw GoAPI status falls into. */
export type TaskState = 'pending' | 'staged' | 'processing' | 'completed' | 'failed'

/**
 * Maps any status GoAPI sends (`Completed`, `completed`, `success`, `""`, ...) to a {@link TaskState}.
 * Unknown values count as `processing`: keep waiting rather than give up on a new status word.
 */
export function taskState(status: TaskStatus | string | null | undefined): TaskState {
  const s = (status ?? '').toLowerCase()
  if (s === 'completed' || s === 'success') return 'completed'
  if (s === 'failed' || s === 'staged') return s
  return s === '' || s === 'pending' || s === 'starting' || s === 'retry' ? 'pending' : 'processing'
}

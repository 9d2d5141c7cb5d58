import type { TaskStatus } from '@goapi/types'

/** The five states every raw GoAPI status falls into. */
export type TaskState = 'pending' | 'staged' | 'processing' | 'completed' | 'failed'

/**
 * Maps any status GoAPI sends (`Completed`, `completed`, `success`, `""`, ...) to a {@link TaskState}.
 * Unknown values count as `processing`: keep waiting rather than give up on a new status word.
 */
export function taskState(status: TaskStatus | string | null | undefined): TaskState {
  switch ((status ?? '').toLowerCase()) {
    case 'completed':
    case 'success':
      return 'completed'
    case 'failed':
      return 'failed'
    case 'staged':
      return 'staged'
    case '':
    case 'pending':
    case 'starting':
    case 'retry':
      return 'pending'
    default:
      return 'processing'
  }
}

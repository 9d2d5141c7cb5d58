// Child process: the baseline of the scale measure. Hand-written fetch calls send the requests the
// client run sent, at the moments it sent them (../burst.ts replaySchedule), measured the same way.
import { countingFetch, measureBurst, replaySchedule, type TaskSchedule } from '../burst.js'

const job = await new Promise<{ url: string; schedule: TaskSchedule[] }>((resolve) =>
  process.once('message', (m) => resolve(m as { url: string; schedule: TaskSchedule[] })),
)
const requests = { create: 0, get: 0, other: 0 }
const counted = countingFetch(requests)
const figures = await measureBurst(requests, (started) => replaySchedule(job.schedule, job.url, started, counted))
process.send?.({ figures }, () => process.disconnect())

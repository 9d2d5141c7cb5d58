// Child process: the create+get rounds of the overhead measure (../overhead.ts), so the CPU time it
// reports is the client's alone.
import { runOverheadJob, type OverheadJob } from '../overhead.js'

const job = JSON.parse(process.argv[2] ?? '{}') as OverheadJob
const report = await runOverheadJob(job)
process.send?.(report, () => process.disconnect())

// The README's main job: a Flux text-to-image and a Kling video task, end to end, against the
// offline GoAPI simulator (no API key, no network). Output files land in ./goapi-output/.
import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { createClient, taskState } from '@goapi/client'
import { txt2img } from '@goapi/flux'
import { videoGeneration } from '@goapi/kling'
import { startMock } from '@goapi/mock'

const mock = await startMock({
  latency: { pendingMs: 400, processingMs: 1200, byFamily: { kling: { pendingMs: 600, processingMs: 2500 } } },
})
console.log(`GoAPI simulator running at ${mock.url} (offline; any API key is accepted)\n`)

const goapi = createClient({
  apiKey: 'demo-key',
  baseUrl: mock.url,
  wait: { poll: { initialDelayMs: 250, maxDelayMs: 1000 } },
})
const progress = (label: string) => (task: { status: string }) => console.log(`  ${label}: ${taskState(task.status)}`)
const outDir = path.resolve(process.env.INIT_CWD ?? process.cwd(), 'goapi-output')

async function save(url: string, name: string): Promise<string> {
  const res = await fetch(url)
  const file = path.join(outDir, name)
  await mkdir(outDir, { recursive: true })
  await writeFile(file, Buffer.from(await res.arrayBuffer()))
  return file
}

try {
  // The label names the model the call runs: the task type's default (the spec's `defaultModel`).
  console.log(`Flux txt2img (${txt2img.models[0]}): "a bear in a snowy forest"`)
  const image = await txt2img(
    goapi,
    { prompt: 'a bear in a snowy forest', width: 1024, height: 1024 },
    { onProgress: progress('flux') },
  )
  const imageUrl = image.output.image_url ?? image.output.image_urls?.[0]
  console.log(`  task ${image.task_id} completed; output.image_url = ${imageUrl}`)
  if (imageUrl) console.log(`  saved ${await save(imageUrl, `${image.task_id}.png`)}`)
  console.log(`  credits used: ${image.meta?.usage?.consume ?? 0}\n`)

  console.log(`Kling video_generation (${videoGeneration.models[0]}): "a cat surfing a wave at sunset"`)
  const video = await videoGeneration(
    goapi,
    { prompt: 'a cat surfing a wave at sunset', duration: 5, aspect_ratio: '16:9' },
    { onProgress: progress('kling') },
  )
  // Kling 3.0 answers `{ video }`; the classic versions answer `works[]` with `video_url` beside it.
  const videoUrl =
    'video' in video.output ? video.output.video : video.output.video_url || video.output.works?.[0]?.video?.resource
  console.log(`  task ${video.task_id} completed; video = ${videoUrl}`)
  if (videoUrl) console.log(`  saved ${await save(videoUrl, `${video.task_id}.mp4`)}`)
  console.log(`  credits used: ${video.meta?.usage?.consume ?? 0}`)
} finally {
  await mock.close()
}

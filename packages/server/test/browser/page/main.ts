// The page's GoAPI code: the SDK unchanged, pointed at the app's proxy, with no key anywhere.
import { createProxyClient } from '@goapi/client'
import { txt2img } from '@goapi/flux'

const goapi = createProxyClient({ baseUrl: '/api/goapi' })
const status = document.querySelector<HTMLOutputElement>('#status')
const progress = document.querySelector<HTMLOListElement>('#progress')
const image = document.querySelector<HTMLImageElement>('#image')
const error = document.querySelector<HTMLPreElement>('#error')

txt2img(
  goapi,
  { prompt: 'a bear in a snowy forest' },
  {
    model: 'Qubico/flux1-schnell',
    onProgress(task) {
      if (status) status.textContent = task.status
      const item = document.createElement('li')
      item.textContent = task.status
      progress?.append(item)
    },
  },
)
  .then(async (task) => {
    if (!image || !task.output.image_url) throw new Error('no image')
    image.src = task.output.image_url
    await image.decode()
    document.body.dataset.done = 'true'
  })
  .catch((e: unknown) => {
    if (error) error.textContent = String(e)
    document.body.dataset.done = 'error'
  })

export { createProxy, DEFAULT_PROXY_MAX_BODY_BYTES } from './create-proxy.js'
export type {
  AllowFunction,
  AllowList,
  AnyTaskType,
  EventsSettings,
  ProxyCall,
  ProxyHandler,
  ProxyOptions,
  WebhookSettings,
} from './create-proxy.js'
export { toNodeListener, toWebRequest } from './node.js'
export type { WebHandler } from './node.js'
export { validateCreate } from './validate.js'
export type { ProxyRoute } from './routes.js'
export type { FieldError } from './validate.js'

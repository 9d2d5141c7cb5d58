export { createClient, isTaskOf, DEFAULT_BASE_URL, DEFAULT_BASE_URLS, DEFAULT_TIMEOUT_MS } from './client.js'
export { createProxyClient } from './proxy-client.js'
export { rawClient } from './raw.js'
export { DEFAULT_RETRY_POLICY, backoffDelay } from './internal/retry.js'
export {
  DEFAULT_MAX_BINARY_BYTES,
  DEFAULT_MAX_JSON_BYTES as DEFAULT_MAX_RESPONSE_BYTES,
  DEFAULT_MAX_JSON_DEPTH as DEFAULT_MAX_RESPONSE_DEPTH,
  MAX_REDIRECTS,
} from './internal/guard.js'
export type { RetryPolicy } from './internal/retry.js'
export type { Logger, LogLevel } from './internal/logger.js'
export {
  verifyWebhook,
  verifyWebhookPayload,
  timingSafeEqualStrings,
  MemoryDedupeStore,
  DEFAULT_WEBHOOK_MAX_BODY_BYTES,
  DEFAULT_WEBHOOK_TOLERANCE_SECONDS,
} from './webhooks.js'
export type { VerifyWebhookOptions, WebhookEvent, WebhookDedupeStore } from './webhooks.js'
export type {
  ClientOptions,
  ProxyClientOptions,
  GoApiClient,
  RequestOptions,
  RunOptions,
  UntypedTaskRequest,
  CancelTasksModel,
  CancelTaskResponse,
  CancelTasksResponse,
} from './client.js'
export { defineTask } from './define-task.js'
export type { TaskFunction, TaskCallOptions, ExtraInput } from './define-task.js'
export { defineOperation } from './define-operation.js'
export type {
  HttpMethod,
  OperationAuth,
  OperationBodyType,
  OperationResponse,
  OperationOf,
  OperationPath,
  OperationParams,
  OperationBody,
  MultipartBody,
  OperationResult,
  OperationOptions,
  OperationArgs,
  OperationFunction,
  OperationDefinition,
  DefinedOperation,
  BinaryOperationStream,
} from './define-operation.js'
export { sseData } from './sse.js'
export type { SseOptions } from './sse.js'
export {
  waitForTask,
  pollDelay,
  pollPolicy,
  etaDelay,
  etaWindow,
  createTaskFeed,
  DurationEstimates,
  taskDurations,
  systemClock,
  DURATION_BY_KIND,
  MIN_POLL_DELAY_MS,
  DEFAULT_WAIT_TIMEOUT_MS,
} from './wait.js'
export type { WaitOptions, PollPolicy, TaskKind, TaskDuration, Clock, TaskFeed, TaskFeedSource } from './wait.js'
export { taskState } from './internal/status.js'
export type { TaskState } from './internal/status.js'
export {
  GoApiError,
  ConfigurationError,
  APIError,
  InvalidRequestError,
  AuthenticationError,
  PermissionDeniedError,
  NotFoundError,
  InsufficientCreditsError,
  RateLimitError,
  InternalServerError,
  APIConnectionError,
  TimeoutError,
  AbortError,
  TaskFailedError,
  TaskCreationUnknownError,
  WebhookVerificationError,
  RedirectError,
  ResponseTooLargeError,
} from './errors.js'
export type { GoApiErrorOptions, CreationUnknownReason, WebhookFailureReason } from './errors.js'
export type {
  Model,
  TaskTypeOf,
  InputOf,
  OutputOf,
  KindOf,
  Task,
  CompletedTask,
  UntypedTask,
  TaskRequestOf,
  TaskConfig,
  TaskStatus,
  TaskData,
  WebhookDelivery,
} from '@goapi/types'
export { getAccountInfo, listActiveTasks, listTaskHistory, uploadFile, DEFAULT_UPLOAD_BASE_URL } from './account.js'
export type {
  AccountInfo,
  AccountActiveTasks,
  AccountTaskHistoryPage,
  TaskHistoryQuery,
  UploadFileRequest,
  UploadedFile,
  UploadOptions,
} from './account.js'
export { bearerAuth } from './openai-compat.js'
export { printable, safeSegment, redact } from './untrusted.js'

export type {
  ChatMessage,
  ChatRole,
  ClientCapabilities,
  EndpointHealth,
  EndpointState,
  FinishReason,
  GenerationRequest,
  TraceContext,
  GenerationResult,
  GenerationTimings,
  ModelClient,
  ModelLoadStatus,
  ModelProtocol,
  ModelRole,
  ReplicaHealth,
  StreamEvent,
  TokenUsage,
  ToolCall,
  ToolDefinition,
} from './inference.types';
export {
  INFERENCE_ERROR_CODES,
  InferenceError,
  isInferenceError,
  type InferenceErrorCode,
  type InferenceErrorDetails,
} from './inference.errors';
export { CODE_MODEL, INFERENCE_EVENTS, PLANNER_MODEL } from './inference.tokens';
export {
  InferenceEvents,
  type InferenceCallFinished,
  type InferenceCallStarted,
  type InferenceObserver,
} from './inference.events';
export {
  clientOptionsFor,
  createModelClient,
  DEFAULT_TIMEOUT_MS,
  inferenceOptionsFromConfig,
  resolveProtocol,
  undiciPoolFactory,
  type ClientHooks,
  type EmbeddedEngineOptions,
  type InferenceModuleOptions,
  type ModelClientOptions,
  type ModelEndpointOptions,
  type ResilienceOptions,
} from './create-model-client';
export type { EmbeddedClientOptions } from './embedded';
export { detectProtocol, type HttpProtocol } from './http/endpoint';
export { systemClock, type Clock, type DeadlineTimer } from './http/clock';
export type { AttemptDeadlines } from './http/attempt';
export type { CircuitSettings } from './http/replica';
export {
  HttpModelClient,
  type DispatcherFactory,
  type HttpModelClientSettings,
  type PoolSettings,
} from './http/http-model-client';
export { parseRetryAfter, upstreamMessageOf } from './http/upstream-errors';
export {
  STRUCTURED_DIALECTS,
  type StructuredDialect,
  type StructuredOutputSetting,
} from './http/structured-dialect';
export {
  cutAtTokenLimit,
  generateStructured,
  type StructuredOptions,
  type StructuredResult,
} from './structured-output';
export { InferenceHealthIndicator } from './inference.health';
export {
  INFERENCE_ASYNC_OPTIONS_TYPE,
  INFERENCE_MODULE_OPTIONS,
  INFERENCE_OPTIONS_TYPE,
  InferenceModule,
} from './inference.module';

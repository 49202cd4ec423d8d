export type {
  ChatMessage,
  ChatRole,
  ClientCapabilities,
  EndpointHealth,
  EndpointState,
  FinishReason,
  GenerationRequest,
  GenerationResult,
  GenerationTimings,
  ModelClient,
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
export { CODE_MODEL, PLANNER_MODEL } from './inference.tokens';

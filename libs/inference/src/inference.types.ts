import type { ChatMessage, JsonSchema, ToolCall, ToolDefinition } from '@app/contracts';

export type { ChatMessage, ChatRole, ToolCall, ToolDefinition } from '@app/contracts';

/** The two model roles the platform serves. */
export type ModelRole = 'code' | 'planner';

/** Wire protocols an endpoint may speak. `auto` is resolved from the URL path before a client is built. */
export type ModelProtocol = 'local-models' | 'openai-chat' | 'openai-completions' | 'embedded';

/** W3C trace context of the caller, sent upstream as the `traceparent`/`tracestate` headers. */
export interface TraceContext {
  traceparent: string;
  tracestate?: string;
}

export interface GenerationRequest {
  messages: ChatMessage[];
  maxTokens?: number;
  temperature?: number;
  stop?: string[];
  /** Ask the backend to constrain output to this JSON Schema where it can (response_format, grammar). */
  jsonSchema?: { name: string; schema: JsonSchema };
  tools?: ToolDefinition[];
  /** Aborting closes the upstream connection (frees the GPU), also while waiting for the first token. */
  signal?: AbortSignal;
  /** Called with each text delta as it streams; setting it makes the call stream where the backend can. */
  onToken?: (delta: string) => void;
  /** Called while the call waits for the model itself (an embedded model downloading or loading). */
  onWaiting?: (status: ModelLoadStatus) => void;
  /** HTTP backends pass it on as headers, so one trace follows the call to the model server */
  trace?: TraceContext;
}

/** Where a model that is not ready yet stands (embedded engine: the first download, then loading). */
export interface ModelLoadStatus {
  phase: 'downloading' | 'loading';
  /** downloads with a known size */
  percent?: number;
  receivedBytes?: number;
  totalBytes?: number;
  /** one line for people: "downloading qwen…gguf: 42% (470 MB of 1.1 GB)" */
  message: string;
}

export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'cancelled' | 'unknown';

export interface TokenUsage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
}

export interface GenerationTimings {
  /** ms from the call to the first received token (or the whole body when not streaming) */
  firstTokenMs: number;
  totalMs: number;
}

export interface GenerationResult {
  text: string;
  toolCalls: ToolCall[];
  finishReason: FinishReason;
  /** undefined when the backend reported none */
  usage?: TokenUsage;
  model: string;
  /** the replica URL that answered (or `embedded:<file>`) */
  endpoint: string;
  /** 1 + the number of retries spent */
  attempts: number;
  timings: GenerationTimings;
}

/** One streamed piece: a text delta, or the final result. */
export type StreamEvent = { type: 'token'; text: string } | { type: 'done'; result: GenerationResult };

export interface ClientCapabilities {
  streaming: boolean;
  /** the backend can constrain output to a JSON Schema */
  structuredOutput: boolean;
  /** the backend understands `tools` / `tool_calls` */
  nativeTools: boolean;
}

export type EndpointState = 'up' | 'degraded' | 'down';

export interface ReplicaHealth {
  url: string;
  state: EndpointState;
  circuit: 'closed' | 'open' | 'half-open';
  lastError?: string;
  lastCheckedAt?: string;
  consecutiveFailures: number;
}

export interface EndpointHealth {
  role: ModelRole;
  protocol: ModelProtocol;
  state: EndpointState;
  replicas: ReplicaHealth[];
  /** embedded engine: the download or load in progress */
  loading?: ModelLoadStatus;
  /** HTTP backends: how JSON Schemas are sent (`llama.cpp`, `vllm`, `openai`, …) and how that was chosen */
  structuredOutput?: { dialect: string; source: string };
}

/** The one interface every backend (HTTP adapters, embedded llama.cpp) implements. */
export interface ModelClient {
  readonly role: ModelRole;
  readonly protocol: ModelProtocol;
  readonly capabilities: ClientCapabilities;
  generate(request: GenerationRequest): Promise<GenerationResult>;
  stream(request: Omit<GenerationRequest, 'onToken'>): AsyncIterable<StreamEvent>;
  /** Passive state plus a cheap probe (`/health`, `/v1/models`); never a generation. */
  checkHealth(signal?: AbortSignal): Promise<EndpointHealth>;
  /**
   * Embedded engine: starts downloading/loading now (not at the first call); resolves once ready.
   * `onStatus` sees the progress.
   */
  preload?(onStatus?: (status: ModelLoadStatus) => void): Promise<void>;
  /** Tokens of prompt plus answer the model serves (its context window), when it can tell */
  contextWindow?(signal?: AbortSignal): Promise<number | undefined>;
  /** HTTP backends: the structured-output dialect in use and how it was chosen (health, metrics) */
  structuredOutputInfo?(): { dialect: string; source: string };
  close(): Promise<void>;
}

import { availableParallelism, homedir } from 'node:os';
import { join } from 'node:path';
import { EnvironmentVariables, validateEnvironment } from './environment';
import { splitList } from './url-list.validator';

export type EndpointProtocol = 'auto' | 'local-models' | 'openai-chat' | 'openai-completions' | 'embedded';

export interface ModelEndpointConfig {
  role: 'code' | 'planner';
  /** replica URLs; empty → the embedded engine */
  urls: string[];
  protocol: EndpointProtocol;
  model?: string;
  apiKey?: string;
  /** embedded engine: a local GGUF path or an `hf:` URI */
  modelFile?: string;
  /** how JSON Schemas are sent (STARCODER_/MISTRAL_STRUCTURED_OUTPUT); `auto` detects the server */
  structuredOutput: StructuredOutputSetting;
}

export type StructuredOutputSetting =
  'auto' | 'openai' | 'llama.cpp' | 'vllm' | 'vllm-legacy' | 'tgi' | 'ollama' | 'none';

export interface InferenceConfig {
  code: ModelEndpointConfig;
  planner: ModelEndpointConfig;
  timeoutMs: number;
  maxRetries: number;
  maxConcurrency: number;
  /** calls waiting for one of the maxConcurrency slots, per endpoint (MODEL_MAX_QUEUE) */
  maxQueued: number;
  /** streamed calls: how long the first token may take once sent (MODEL_FIRST_TOKEN_SECONDS) */
  firstTokenMs: number;
  embedded: { cacheDir: string; threads?: number; contextSize?: number; huggingFaceBaseUrl?: string };
}

export interface GatewayConfig {
  host: string;
  port: number;
  apiKeys: string[];
  allowedHosts: string[];
  bodyLimitBytes: number;
  mcpMode: 'stateful' | 'stateless';
  sessionIdleTtlMs: number;
  maxSessions: number;
  logPayloads: boolean;
  /** GATEWAY_REDIS_URL: MCP tasks kept in Redis, so any replica answers tasks/get and tasks/cancel */
  redisUrl?: string;
}

export interface AgentConfig {
  host: string;
  port: number;
  /** bearer keys for the agent's own HTTP API (AGENT_API_KEYS); empty → open */
  apiKeys: string[];
  /** Host/Origin allow-list of the agent's HTTP API (DNS-rebinding protection); empty → off */
  allowedHosts: string[];
  gatewayUrl: string;
  /** bearer key the agent sends to a gateway that has GATEWAY_API_KEYS set */
  gatewayApiKey?: string;
  maxSteps: number;
  maxWallTimeMs: number;
  maxTokens: number;
  runs: AgentRunsConfig;
}

/** Finished runs kept: the newer of both limits wins; unset limits do not apply. */
export interface RunRetention {
  maxAgeDays?: number;
  maxRuns?: number;
}

/** Where runs live: SQLite in `dataDir` (one machine), or Redis + BullMQ when `redisUrl` is set. */
export interface AgentRunsConfig {
  dataDir: string;
  redisUrl?: string;
  role: 'all' | 'api' | 'worker';
  retention: RunRetention;
  shutdownGraceMs: number;
  /** Redis: a worker that stops renewing its lock this long (it died) loses the run to another worker */
  queueLockMs: number;
}

/** Code execution (`libs/sandbox`): how generated code and its tests are run. */
export interface SandboxConfig {
  /** auto: bubblewrap when it works here, else execution unavailable; bubblewrap: required; off: none */
  mode: 'auto' | 'bubblewrap' | 'off';
  timeoutSeconds: number;
  memoryMb: number;
  maxConcurrency: number;
}

export interface LoggingConfig {
  level: string;
  pretty: boolean;
  /** log prompts and code verbatim (off by default: they may hold secrets or proprietary code) */
  logPayloads: boolean;
}

export interface AppConfig {
  inference: InferenceConfig;
  gateway: GatewayConfig;
  agent: AgentConfig;
  sandbox: SandboxConfig;
  logging: LoggingConfig;
}

const LOOPBACK_HOSTS = ['127.0.0.1', 'localhost', '::1', '[::1]'];

function endpointConfig(env: EnvironmentVariables, role: 'code' | 'planner'): ModelEndpointConfig {
  const prefix = role === 'code' ? 'STARCODER' : 'MISTRAL';
  const urls = splitList(env[`${prefix}_ENDPOINT`]);
  const explicit = env[`${prefix}_PROTOCOL`];
  return {
    role,
    urls,
    protocol: urls.length === 0 && (explicit ?? 'auto') === 'auto' ? 'embedded' : (explicit ?? 'auto'),
    model: env[`${prefix}_MODEL`],
    apiKey: env[`${prefix}_API_KEY`],
    modelFile: env[`${prefix}_MODEL_FILE`],
    structuredOutput: env[`${prefix}_STRUCTURED_OUTPUT`],
  };
}

/** Loopback binds get DNS-rebinding protection by default: only local names may appear in Host/Origin. */
function allowedHosts(configuredList: string | undefined, boundHost: string): string[] {
  const configured = splitList(configuredList);
  if (configured.length > 0) return configured;
  return LOOPBACK_HOSTS.includes(boundHost) ? LOOPBACK_HOSTS : [];
}

export function parseRetention(value: string): RunRetention {
  const retention: RunRetention = {};
  for (const part of value.split(',').map((p) => p.trim())) {
    if (part.endsWith('d')) retention.maxAgeDays = Number(part.slice(0, -1));
    else retention.maxRuns = Number(part);
  }
  return retention;
}

function agentRunsConfig(env: EnvironmentVariables): AgentRunsConfig {
  return {
    dataDir: env.AGENT_DATA_DIR ?? join(homedir(), '.local', 'share', 'code-model-mcp'),
    redisUrl: env.AGENT_REDIS_URL,
    role: env.AGENT_ROLE,
    retention: parseRetention(env.AGENT_RUN_RETENTION),
    shutdownGraceMs: env.AGENT_SHUTDOWN_GRACE_SECONDS * 1000,
    queueLockMs: env.AGENT_QUEUE_LOCK_SECONDS * 1000,
  };
}

function buildConfig(env: EnvironmentVariables): AppConfig {
  return {
    inference: {
      code: endpointConfig(env, 'code'),
      planner: endpointConfig(env, 'planner'),
      timeoutMs: env.MODEL_TIMEOUT_SECONDS * 1000,
      maxRetries: env.MODEL_MAX_RETRIES,
      maxConcurrency: env.MODEL_MAX_CONCURRENCY,
      maxQueued: env.MODEL_MAX_QUEUE,
      firstTokenMs: env.MODEL_FIRST_TOKEN_SECONDS * 1000,
      embedded: {
        cacheDir: env.MODEL_CACHE_DIR ?? join(homedir(), '.cache', 'code-model-mcp', 'models'),
        threads: env.EMBEDDED_THREADS,
        contextSize: env.EMBEDDED_CONTEXT_SIZE,
        ...(env.MODEL_HUB_URL === undefined ? {} : { huggingFaceBaseUrl: env.MODEL_HUB_URL }),
      },
    },
    gateway: {
      host: env.GATEWAY_HOST,
      port: env.GATEWAY_PORT,
      apiKeys: splitList(env.GATEWAY_API_KEYS),
      allowedHosts: allowedHosts(env.GATEWAY_ALLOWED_HOSTS, env.GATEWAY_HOST),
      bodyLimitBytes: env.GATEWAY_BODY_LIMIT_BYTES,
      mcpMode: env.GATEWAY_MCP_MODE,
      sessionIdleTtlMs: env.GATEWAY_SESSION_TTL_SECONDS * 1000,
      maxSessions: env.GATEWAY_MAX_SESSIONS,
      logPayloads: env.LOG_PAYLOADS,
      redisUrl: env.GATEWAY_REDIS_URL,
    },
    agent: {
      host: env.AGENT_HOST,
      port: env.AGENT_PORT,
      apiKeys: splitList(env.AGENT_API_KEYS),
      allowedHosts: allowedHosts(env.AGENT_ALLOWED_HOSTS, env.AGENT_HOST),
      gatewayUrl: env.MCP_GATEWAY_URL,
      gatewayApiKey: env.MCP_GATEWAY_API_KEY,
      maxSteps: env.AGENT_MAX_STEPS,
      maxWallTimeMs: env.AGENT_MAX_SECONDS * 1000,
      maxTokens: env.AGENT_MAX_TOKENS,
      runs: agentRunsConfig(env),
    },
    sandbox: {
      mode: env.SANDBOX,
      timeoutSeconds: env.SANDBOX_TIMEOUT_SECONDS,
      memoryMb: env.SANDBOX_MEMORY_MB,
      maxConcurrency: env.SANDBOX_MAX_CONCURRENCY ?? availableParallelism(),
    },
    logging: { level: env.LOG_LEVEL, pretty: env.LOG_PRETTY, logPayloads: env.LOG_PAYLOADS },
  };
}

/** Validates the environment and builds every namespace; throws `ConfigValidationError` on a bad value. */
export function loadConfig(env: Record<string, unknown> = process.env): AppConfig {
  return buildConfig(validateEnvironment(env));
}

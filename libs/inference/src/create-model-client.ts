import type { InferenceConfig } from '@app/config';
import {
  chatTemplateFor,
  MISTRAL_STOP,
  renderMistralInstruct,
  type ChatTemplate,
  type ChatTemplateFamily,
} from '@app/prompts';
import { Pool } from 'undici';
import { createEmbeddedModelClient, type EmbeddedClientOptions } from './embedded';
import type { InferenceObserver } from './inference.events';
import type { ModelClient, ModelProtocol, ModelRole } from './inference.types';
import type { AttemptDeadlines } from './http/attempt';
import { systemClock, type Clock } from './http/clock';
import { detectProtocol, type HttpProtocol } from './http/endpoint';
import { HttpModelClient, type DispatcherFactory, type PoolSettings } from './http/http-model-client';
import type { CircuitSettings } from './http/replica';
import type { StructuredOutputSetting } from './http/structured-dialect';

/** One role's endpoint, as in `ModelEndpointConfig` of `@app/config`. */
export interface ModelEndpointOptions {
  role: ModelRole;
  /** replica URLs; empty with protocol `auto`/`embedded` → the embedded engine */
  urls: string[];
  protocol: 'auto' | ModelProtocol;
  model?: string;
  apiKey?: string;
  /** embedded engine: a local GGUF path or an `hf:` URI */
  modelFile?: string;
  /** how JSON Schemas are sent to an HTTP server (default `auto`: detected from `GET /v1/models`) */
  structuredOutput?: StructuredOutputSetting;
}

/** Tuning with sensible defaults; the env-driven values come from `inferenceConfig`. */
export interface ResilienceOptions {
  /** total deadline of one call, retries included (MODEL_TIMEOUT_SECONDS); default 60 000 */
  timeoutMs?: number;
  /** retries before any output (MODEL_MAX_RETRIES); default 2 */
  maxRetries?: number;
  /** concurrent calls per endpoint (MODEL_MAX_CONCURRENCY); default 256 */
  maxConcurrency?: number;
  /** calls waiting for one of those slots (MODEL_MAX_QUEUE); default 1024 */
  maxQueued?: number;
  deadlines?: Partial<AttemptDeadlines>;
  retry?: Partial<{ initialDelayMs: number; maxDelayMs: number }>;
  circuit?: Partial<CircuitSettings>;
  pool?: Partial<PoolSettings>;
  /** default 2 000 */
  probeTimeoutMs?: number;
}

/** Seams for tests and embedding apps: time, HTTP transport, prompt templates, metrics. */
export interface ClientHooks {
  clock?: Clock;
  dispatcherFactory?: DispatcherFactory;
  /** `/v1/completions` prompt rendering; default by role: starcoder (code), mistral (planner) */
  template?: ChatTemplate | ChatTemplateFamily;
  observer?: InferenceObserver;
  /** builds the `embedded` backend (default: the in-process llama.cpp engine) */
  embeddedFactory?: (options: EmbeddedClientOptions) => ModelClient;
}

/** The embedded engine's settings shared by both roles (cache dir, threads, context size, GPU …). */
export type EmbeddedEngineOptions = Omit<EmbeddedClientOptions, 'role' | 'modelFile'>;

export interface ModelClientOptions extends ModelEndpointOptions, ResilienceOptions, ClientHooks {
  embedded?: EmbeddedEngineOptions;
}

export const DEFAULT_TIMEOUT_MS = 60_000;
const DEFAULT_KEEP_ALIVE_MS = 4_000;

/** One undici Pool per replica origin: explicit size, keep-alive under the servers' 5 s, connect deadline. */
export const undiciPoolFactory: DispatcherFactory = (origin, pool) =>
  new Pool(origin, {
    connections: pool.connections,
    keepAliveTimeout: pool.keepAliveTimeoutMs,
    keepAliveMaxTimeout: pool.keepAliveTimeoutMs,
    connect: { timeout: pool.connectTimeoutMs },
    headersTimeout: 0,
    bodyTimeout: 0,
  });

/** Which protocol a role uses: explicit, else from the first URL's path; no URL → embedded. */
export function resolveProtocol(options: Pick<ModelEndpointOptions, 'urls' | 'protocol'>): ModelProtocol {
  if (options.protocol !== 'auto') return options.protocol;
  const first = options.urls[0];
  return first === undefined ? 'embedded' : detectProtocol(first);
}

function deadlinesFor(options: ResilienceOptions, timeoutMs: number): AttemptDeadlines {
  const capped = (ms: number) => (timeoutMs > 0 ? Math.min(ms, timeoutMs) : ms);
  return {
    connectMs: options.deadlines?.connectMs ?? capped(5_000),
    firstTokenMs: options.deadlines?.firstTokenMs ?? capped(30_000),
    idleMs: options.deadlines?.idleMs ?? capped(20_000),
  };
}

/** vLLM and llama.cpp add BOS themselves when tokenising a completion prompt: a literal "<s>" would double it. */
const mistralWithoutBos: ChatTemplate = (messages) => ({
  prompt: renderMistralInstruct(messages, { bos: false }),
  stop: [...MISTRAL_STOP],
});

function templateFor(role: ModelRole, template: ClientHooks['template']): ChatTemplate {
  if (typeof template === 'function') return template;
  const family = template ?? (role === 'code' ? 'starcoder' : 'mistral');
  return family === 'mistral' ? mistralWithoutBos : chatTemplateFor(family);
}

function httpClient(options: ModelClientOptions, protocol: HttpProtocol): HttpModelClient {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxConcurrency = options.maxConcurrency ?? 256;
  const deadlines = deadlinesFor(options, timeoutMs);
  return new HttpModelClient({
    role: options.role,
    protocol,
    urls: options.urls,
    model: options.model,
    apiKey: options.apiKey,
    structuredOutput: options.structuredOutput ?? 'auto',
    timeoutMs,
    maxRetries: options.maxRetries ?? 2,
    maxConcurrency,
    maxQueued: options.maxQueued ?? 1024,
    deadlines,
    retry: {
      initialDelayMs: options.retry?.initialDelayMs ?? 200,
      maxDelayMs: options.retry?.maxDelayMs ?? 5_000,
    },
    circuit: {
      failureThreshold: options.circuit?.failureThreshold ?? 5,
      halfOpenAfterMs: options.circuit?.halfOpenAfterMs ?? 10_000,
    },
    pool: {
      connections: options.pool?.connections ?? maxConcurrency,
      keepAliveTimeoutMs: options.pool?.keepAliveTimeoutMs ?? DEFAULT_KEEP_ALIVE_MS,
      connectTimeoutMs: options.pool?.connectTimeoutMs ?? deadlines.connectMs,
    },
    probeTimeoutMs: options.probeTimeoutMs ?? 2_000,
    template: templateFor(options.role, options.template),
    clock: options.clock ?? systemClock,
    dispatcherFactory: options.dispatcherFactory ?? undiciPoolFactory,
    observer: options.observer,
  });
}

/** Builds the client for one role without Nest (CLI, benchmark baseline, tests). */
export function createModelClient(options: ModelClientOptions): ModelClient {
  const protocol = resolveProtocol(options);
  if (protocol !== 'embedded') return httpClient(options, protocol);
  const factory = options.embeddedFactory ?? createEmbeddedModelClient;
  return factory({
    role: options.role,
    modelFile: options.modelFile,
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    ...options.embedded,
  });
}

/** Options of `InferenceModule`: 1:1 with `inferenceConfig` of `@app/config`, plus optional tuning and hooks. */
export interface InferenceModuleOptions extends ResilienceOptions, ClientHooks {
  code: ModelEndpointOptions;
  planner: ModelEndpointOptions;
  embedded?: EmbeddedEngineOptions;
}

/** `inferenceConfig` (env) → module options. */
export function inferenceOptionsFromConfig(config: InferenceConfig): InferenceModuleOptions {
  return {
    code: { ...config.code },
    planner: { ...config.planner },
    timeoutMs: config.timeoutMs,
    maxRetries: config.maxRetries,
    maxConcurrency: config.maxConcurrency,
    maxQueued: config.maxQueued,
    deadlines: { firstTokenMs: Math.min(config.firstTokenMs, config.timeoutMs) },
    embedded: { ...config.embedded },
  };
}

/** The client options of one role from the module options. */
export function clientOptionsFor(options: InferenceModuleOptions, role: ModelRole): ModelClientOptions {
  const { code, planner, ...shared } = options;
  return { ...shared, ...(role === 'code' ? code : planner) };
}

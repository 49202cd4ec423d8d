import {
  BrokenCircuitError,
  BulkheadRejectedError,
  ExponentialBackoff,
  IsolatedCircuitError,
  bulkhead,
  decorrelatedJitterGenerator,
  type BulkheadPolicy,
  type IBackoff,
} from 'cockatiel';
import type { Dispatcher } from 'undici';
import { InferenceError, isInferenceError } from '../inference.errors';
import type { InferenceObserver } from '../inference.events';
import type {
  ClientCapabilities,
  EndpointHealth,
  EndpointState,
  GenerationRequest,
  GenerationResult,
  ModelClient,
  ModelRole,
  StreamEvent,
  TraceContext,
} from '../inference.types';
import { AsyncQueue } from './async-queue';
import { Attempt, type AttemptDeadlines, type AttemptOutcome, type CallProgress } from './attempt';
import { CallScope, raceAbort } from './call-scope';
import type { ChatTemplate } from '@app/prompts';
import type { Clock } from './clock';
import { envPrefix, resolveEndpoint, roleLabel, type HttpProtocol } from './endpoint';
import { localModelsWire } from './local-models.wire';
import { ModelNameResolver } from './model-name';
import { openAiChatWire } from './openai-chat.wire';
import { openAiCompletionsWire } from './openai-completions.wire';
import { probeReplica } from './probe';
import type { StructuredOutputSetting } from './structured-dialect';
import { Replica, rankReplicas, type CircuitSettings } from './replica';
import type { WireAdapter } from './wire';

export interface PoolSettings {
  /** sockets per replica: one per concurrent (streaming) call, so it must not be below the concurrency limit */
  connections: number;
  /** below the servers' 5 s (uvicorn) so we never reuse a socket the server is closing */
  keepAliveTimeoutMs: number;
  connectTimeoutMs: number;
}

export type DispatcherFactory = (origin: string, pool: PoolSettings) => Dispatcher;

export interface HttpModelClientSettings {
  role: ModelRole;
  protocol: HttpProtocol;
  urls: string[];
  model?: string;
  apiKey?: string;
  /** how JSON Schemas are sent; `auto` detects the server from `GET /v1/models` */
  structuredOutput: StructuredOutputSetting;
  /** total deadline of one call, retries included (MODEL_TIMEOUT_SECONDS) */
  timeoutMs: number;
  maxRetries: number;
  /** concurrent calls per endpoint; more wait in a queue of `maxQueued` */
  maxConcurrency: number;
  maxQueued: number;
  deadlines: AttemptDeadlines;
  retry: { initialDelayMs: number; maxDelayMs: number };
  circuit: CircuitSettings;
  pool: PoolSettings;
  probeTimeoutMs: number;
  template: ChatTemplate;
  clock: Clock;
  dispatcherFactory: DispatcherFactory;
  observer?: InferenceObserver;
}

interface CallState {
  scope: CallScope;
  progress: CallProgress;
  tried: Set<Replica>;
  attempts: number;
  retries: number;
  backoff: IBackoff<unknown> | undefined;
  lastReplica: Replica | undefined;
  startedAt: number;
  firstTokenAt: number | undefined;
}

function wireFor(protocol: HttpProtocol, template: ChatTemplate): WireAdapter {
  if (protocol === 'local-models') return localModelsWire;
  if (protocol === 'openai-chat') return openAiChatWire;
  return openAiCompletionsWire(template);
}

/**
 * A `ModelClient` for HTTP model servers: replicas with health-aware failover, a circuit breaker per
 * replica, a concurrency limit (bulkhead) per endpoint, retries before the first byte, and deadlines.
 *
 * Libraries: undici (a Pool per replica with an explicit size and idle timeout; aborting a request destroys
 * its socket, which is what stops the GPU work upstream), eventsource-parser (SSE framing across chunk
 * boundaries), cockatiel (circuit breaker, bulkhead, decorrelated-jitter backoff). The retry loop itself
 * is ours: cockatiel's retry sleeps cannot be interrupted by an AbortSignal nor given an injectable
 * clock, and the rules (never after output, honour Retry-After, fail over before spending a retry) are
 * specific to model calls.
 */
export class HttpModelClient implements ModelClient {
  readonly role: ModelRole;
  readonly protocol: HttpProtocol;
  readonly capabilities: ClientCapabilities;
  private readonly wire: WireAdapter;
  private readonly replicas: Replica[];
  private readonly bulkhead: BulkheadPolicy;
  private readonly backoffFactory: ExponentialBackoff<[number, number]>;
  private readonly modelNames: ModelNameResolver;
  private readonly headers: Record<string, string>;
  /** sent on the GETs too (`/v1/models`, `/health`): a server with an API key may guard every route */
  private readonly authHeaders: Record<string, string>;

  constructor(private readonly settings: HttpModelClientSettings) {
    if (settings.urls.length === 0) {
      throw new InferenceError(
        'CONFIG',
        `${roleLabel(settings.role)}: no endpoint URL configured (${envPrefix(settings.role)}_ENDPOINT)`,
      );
    }
    this.role = settings.role;
    this.protocol = settings.protocol;
    this.wire = wireFor(settings.protocol, settings.template);
    this.capabilities = this.wire.capabilities;
    this.replicas = settings.urls.map((url) => this.createReplica(url));
    this.bulkhead = bulkhead(settings.maxConcurrency, settings.maxQueued);
    this.backoffFactory = new ExponentialBackoff({
      generator: decorrelatedJitterGenerator,
      initialDelay: settings.retry.initialDelayMs,
      maxDelay: settings.retry.maxDelayMs,
    });
    this.authHeaders = settings.apiKey ? { authorization: `Bearer ${settings.apiKey}` } : {};
    this.modelNames = new ModelNameResolver(
      settings.role,
      settings.model,
      settings.probeTimeoutMs,
      this.authHeaders,
      settings.structuredOutput,
    );
    this.headers = {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...this.authHeaders,
    };
  }

  private createReplica(url: string): Replica {
    const endpoint = resolveEndpoint(url, this.settings.protocol);
    const dispatcher = this.settings.dispatcherFactory(endpoint.origin, this.settings.pool);
    return new Replica(endpoint, dispatcher, this.settings.circuit);
  }

  async generate(request: GenerationRequest): Promise<GenerationResult> {
    const stream = request.onToken !== undefined && this.capabilities.streaming;
    const state = this.newCallState(request.signal);
    this.settings.observer?.callStarted?.({ role: this.role, protocol: this.protocol, streamed: stream });
    try {
      const result = await raceAbort(
        this.throughBulkhead(() => this.withRetries(request, stream, state), state.scope.signal),
        state.scope.signal,
      );
      this.report(state, stream, result);
      return result;
    } catch (error) {
      const failure = this.finalError(error, state);
      this.report(state, stream, undefined, failure);
      throw failure;
    } finally {
      state.scope.dispose();
    }
  }

  async *stream(request: Omit<GenerationRequest, 'onToken'>): AsyncIterable<StreamEvent> {
    const queue = new AsyncQueue<StreamEvent>();
    const controller = new AbortController();
    const onCallerAbort = () => controller.abort();
    request.signal?.addEventListener('abort', onCallerAbort, { once: true });
    if (request.signal?.aborted) controller.abort();
    const onToken = (text: string) => queue.push({ type: 'token', text });
    this.generate({ ...request, signal: controller.signal, onToken }).then(
      (result) => {
        queue.push({ type: 'done', result });
        queue.end();
      },
      (error: unknown) => queue.fail(error),
    );
    try {
      yield* queue;
    } finally {
      // the consumer stopped early (break/throw): close the upstream socket
      controller.abort();
      request.signal?.removeEventListener('abort', onCallerAbort);
    }
  }

  async checkHealth(signal?: AbortSignal): Promise<EndpointHealth> {
    await Promise.all(
      this.replicas.map((replica) =>
        probeReplica(
          replica,
          this.settings.probeTimeoutMs,
          signal,
          this.authHeaders,
          `${envPrefix(this.role)}_API_KEY`,
        ),
      ),
    );
    return this.currentHealth();
  }

  /** Passive health only (no probe): what the last calls and probes saw. */
  currentHealth(): EndpointHealth {
    const replicas = this.replicas.map((replica) => replica.health());
    return {
      role: this.role,
      protocol: this.protocol,
      state: overallState(replicas.map((r) => r.state)),
      replicas,
      ...(this.capabilities.structuredOutput ? { structuredOutput: this.structuredOutputInfo() } : {}),
    };
  }

  /** The window the first available replica serves (see ModelNameResolver.contextWindow). */
  async contextWindow(
    signal: AbortSignal = AbortSignal.timeout(this.settings.probeTimeoutMs),
  ): Promise<number | undefined> {
    const replica = rankReplicas(this.replicas, new Set())[0] ?? this.replicas[0];
    return replica === undefined ? undefined : this.modelNames.contextWindow(replica, signal);
  }

  structuredOutputInfo(): { dialect: string; source: string } {
    return this.modelNames.dialectInfo();
  }

  async close(): Promise<void> {
    await Promise.all(this.replicas.map((replica) => replica.dispatcher.close().catch(() => undefined)));
  }

  private newCallState(signal: AbortSignal | undefined): CallState {
    const { clock, timeoutMs } = this.settings;
    return {
      scope: new CallScope(this.role, signal, timeoutMs, clock),
      progress: { streamed: false },
      tried: new Set(),
      attempts: 0,
      retries: 0,
      backoff: undefined,
      lastReplica: undefined,
      startedAt: clock.now(),
      firstTokenAt: undefined,
    };
  }

  private async throughBulkhead<T>(run: () => Promise<T>, signal: AbortSignal): Promise<T> {
    try {
      // with the signal, a call cancelled while queued is dropped when its turn comes instead of running
      return await this.bulkhead.execute(run, signal);
    } catch (error) {
      if (!(error instanceof BulkheadRejectedError)) throw error;
      const { maxConcurrency, maxQueued } = this.settings;
      const message = `${roleLabel(this.role)}: ${maxConcurrency} calls in flight and ${maxQueued} queued — raise MODEL_MAX_QUEUE (or MODEL_MAX_CONCURRENCY if the server has more slots), or add replicas`;
      throw new InferenceError('RATE_LIMITED', message, { role: this.role }, { cause: error });
    }
  }

  private async withRetries(
    request: GenerationRequest,
    stream: boolean,
    state: CallState,
  ): Promise<GenerationResult> {
    // a failover to an untried replica does not spend a retry; the hard cap guards against loops
    const maxAttempts = this.settings.maxRetries + this.replicas.length;
    for (;;) {
      const replica = this.pickReplica(state);
      try {
        const outcome = await this.attemptOn(replica, request, stream, state);
        return this.toResult(outcome, replica, state);
      } catch (error) {
        await this.beforeNextAttempt(error, state, maxAttempts);
      }
    }
  }

  private pickReplica(state: CallState): Replica {
    const replica = rankReplicas(this.replicas, state.tried)[0];
    if (!replica) throw this.circuitOpenError();
    state.tried.add(replica);
    state.lastReplica = replica;
    state.attempts += 1;
    return replica;
  }

  private async attemptOn(
    replica: Replica,
    request: GenerationRequest,
    stream: boolean,
    state: CallState,
  ): Promise<AttemptOutcome> {
    replica.inFlight += 1;
    try {
      const outcome = await replica.breaker.execute(() => this.runAttempt(replica, request, stream, state));
      replica.recordSuccess();
      return outcome;
    } catch (error) {
      replica.recordFailure(error);
      throw error;
    } finally {
      replica.inFlight -= 1;
    }
  }

  private async runAttempt(
    replica: Replica,
    request: GenerationRequest,
    stream: boolean,
    state: CallState,
  ): Promise<AttemptOutcome> {
    const model = await this.modelNames.resolve(replica, state.scope.signal);
    const dialect = request.jsonSchema ? await this.modelNames.dialect(replica, state.scope.signal) : 'none';
    const body = JSON.stringify(this.wire.body(request, model, stream, dialect));
    const attempt = new Attempt({
      role: this.role,
      replica,
      wire: this.wire,
      path: replica.endpoint.generatePath,
      body,
      headers: request.trace ? { ...this.headers, ...traceHeaders(request.trace) } : this.headers,
      stream,
      deadlines: this.settings.deadlines,
      clock: this.settings.clock,
      signal: state.scope.signal,
      onToken: request.onToken,
      progress: state.progress,
    });
    const outcome = await attempt.run();
    outcome.output.model ??= model;
    return outcome;
  }

  /** Throws when the failure must reach the caller; otherwise waits (backoff / Retry-After) or fails over. */
  private async beforeNextAttempt(error: unknown, state: CallState, maxAttempts: number): Promise<void> {
    if (error instanceof BrokenCircuitError || error instanceof IsolatedCircuitError) return;
    if (!isInferenceError(error) || !error.retryable || state.progress.streamed) throw error;
    if (state.attempts >= maxAttempts) throw error;
    const next = rankReplicas(this.replicas, state.tried)[0];
    if (next && !state.tried.has(next)) return; // fail over at once
    if (state.retries >= this.settings.maxRetries) throw error;
    state.retries += 1;
    state.tried.clear();
    await this.settings.clock.sleep(this.retryDelay(error, state), state.scope.signal);
  }

  private retryDelay(error: InferenceError, state: CallState): number {
    state.backoff = state.backoff ? state.backoff.next(undefined) : this.backoffFactory.next();
    const delay = error.details.retryAfterMs ?? state.backoff.duration;
    const remaining = this.settings.timeoutMs - (this.settings.clock.now() - state.startedAt);
    // waiting past the total deadline only to time out is worse than reporting the upstream's answer now
    if (this.settings.timeoutMs > 0 && delay >= remaining) throw error;
    return delay;
  }

  private toResult(outcome: AttemptOutcome, replica: Replica, state: CallState): GenerationResult {
    const now = this.settings.clock.now();
    state.firstTokenAt = outcome.firstTokenAt;
    const { output } = outcome;
    return {
      text: output.text,
      toolCalls: output.toolCalls,
      finishReason: output.finishReason,
      usage: output.usage,
      model: output.model ?? this.settings.model ?? this.protocol,
      endpoint: replica.url,
      attempts: state.attempts,
      timings: { firstTokenMs: outcome.firstTokenAt - state.startedAt, totalMs: now - state.startedAt },
    };
  }

  private circuitOpenError(): InferenceError {
    const last = this.replicas.find((r) => r.lastError)?.lastError;
    const count = this.replicas.length;
    const message = `${roleLabel(this.role)}: all ${count} replica(s) are failing (circuit open, retrying in ≤ ${this.settings.circuit.halfOpenAfterMs / 1000} s)${last ? `; last error: ${last}` : ''}`;
    return new InferenceError('CIRCUIT_OPEN', message, {
      role: this.role,
      endpoint: this.replicas[0]?.url,
      unavailable: true,
      retryAfterMs: this.settings.circuit.halfOpenAfterMs,
    });
  }

  private finalError(error: unknown, state: CallState): unknown {
    if (!isInferenceError(error)) return error;
    error.details.attempts = state.attempts;
    error.details.role ??= this.role;
    error.details.endpoint ??= state.lastReplica?.url;
    if (state.progress.streamed) error.details.partialOutput = true;
    return error;
  }

  private report(state: CallState, streamed: boolean, result?: GenerationResult, error?: unknown): void {
    const observer = this.settings.observer;
    if (!observer?.callFinished) return;
    const now = this.settings.clock.now();
    observer.callFinished({
      role: this.role,
      protocol: this.protocol,
      streamed,
      endpoint: state.lastReplica?.url,
      latencyMs: now - state.startedAt,
      firstTokenMs: state.firstTokenAt === undefined ? undefined : state.firstTokenAt - state.startedAt,
      attempts: state.attempts,
      retries: state.retries,
      errorCode: isInferenceError(error) ? error.code : undefined,
      usage: result?.usage,
    });
  }
}

function overallState(states: EndpointState[]): EndpointState {
  if (states.every((s) => s === 'up')) return 'up';
  if (states.some((s) => s !== 'down')) return 'degraded';
  return 'down';
}

function traceHeaders(trace: TraceContext): Record<string, string> {
  return trace.tracestate === undefined
    ? { traceparent: trace.traceparent }
    : { traceparent: trace.traceparent, tracestate: trace.tracestate };
}

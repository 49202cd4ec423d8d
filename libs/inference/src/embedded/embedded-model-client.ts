import { basename } from 'node:path';
import { performance } from 'node:perf_hooks';
import { InferenceError } from '../inference.errors';
import type {
  ClientCapabilities,
  EndpointHealth,
  GenerationRequest,
  GenerationResult,
  ModelClient,
  ModelLoadStatus,
  ModelRole,
  StreamEvent,
} from '../inference.types';
import { generateOnModel, type GenerationSite } from './chat-generation';
import { cancelled, Deadline } from './deadline';
import { exists } from './model-loader';
import type { EmbeddedModelRegistry, LoadedModel, SharedModel } from './model-registry';
import type { ModelSource } from './model-source';
import { streamFromCallbacks } from './stream-from-callbacks';

/**
 * A role served by an in-process llama.cpp model. Several clients may share one model (and its queue);
 * each releases its reference on `close()`. Cancellation throws `InferenceError('CANCELLED')` like the
 * HTTP adapters, whether the request was still queued or already generating.
 */
export class EmbeddedModelClient implements ModelClient {
  readonly protocol = 'embedded' as const;
  readonly capabilities: ClientCapabilities = { streaming: true, structuredOutput: true, nativeTools: false };
  private closed = false;

  constructor(
    readonly role: ModelRole,
    private readonly source: ModelSource,
    private readonly shared: SharedModel,
    private readonly registry: EmbeddedModelRegistry,
    /** MODEL_TIMEOUT_SECONDS: waiting in the queue plus generating (loading and downloading excluded) */
    private readonly timeoutMs = 0,
  ) {}

  private get endpoint(): string {
    return `embedded:${this.source.path}`;
  }

  private get site(): GenerationSite {
    return { role: this.role, endpoint: this.endpoint, model: basename(this.source.path, '.gguf') };
  }

  async generate(request: GenerationRequest): Promise<GenerationResult> {
    this.assertOpen();
    const started = performance.now();
    const deadline = new Deadline(this.timeoutMs, request.signal, () => this.timeoutError());
    try {
      const loaded = await this.modelFor(request);
      deadline.start();
      const bounded = { ...request, signal: deadline.signal };
      return await loaded.queue.run(
        () => generateOnModel(loaded, bounded, this.site, started),
        deadline.signal,
      );
    } catch (error) {
      throw this.toInferenceError(error, deadline.signal);
    } finally {
      deadline.dispose();
    }
  }

  private timeoutError(): InferenceError {
    const message = `the embedded ${this.role} model did not finish within ${this.timeoutMs / 1000} s (MODEL_TIMEOUT_SECONDS) — ask for fewer tokens or raise MODEL_TIMEOUT_SECONDS`;
    return new InferenceError('TIMEOUT', message, {
      role: this.role,
      endpoint: this.endpoint,
      phase: 'total',
    });
  }

  stream(request: Omit<GenerationRequest, 'onToken'>): AsyncIterable<StreamEvent> {
    return streamFromCallbacks(
      (onToken, signal) => this.generate({ ...request, onToken, signal }),
      request.signal,
    );
  }

  /**
   * Starts loading (and, for the default model, downloading) now instead of at the first request, so a
   * gateway can show the progress bar at start-up. Resolves once the model is ready.
   */
  async preload(onStatus?: (status: ModelLoadStatus) => void): Promise<void> {
    this.assertOpen();
    const stop = onStatus === undefined ? undefined : this.shared.onStatus(onStatus);
    try {
      await this.shared.get();
    } finally {
      stop?.();
    }
  }

  /** The loaded model; a caller arriving during a download or load hears how far it is (`onWaiting`). */
  private async modelFor(request: GenerationRequest): Promise<LoadedModel> {
    const { onWaiting } = request;
    const stop =
      onWaiting === undefined || this.shared.state === 'loaded' ? undefined : this.shared.onStatus(onWaiting);
    try {
      return await this.waitFor(this.shared.get(), request.signal);
    } finally {
      stop?.();
    }
  }

  /** The context actually created (EMBEDDED_CONTEXT_SIZE capped at the training context); loads the model. */
  async contextWindow(signal?: AbortSignal): Promise<number | undefined> {
    const loaded = await this.waitFor(this.shared.get(), signal);
    return loaded.context.contextSize;
  }

  async checkHealth(): Promise<EndpointHealth> {
    const { state, lastError } = await this.describeState();
    const loading = this.shared.status;
    return {
      role: this.role,
      protocol: this.protocol,
      state,
      ...(loading === undefined ? {} : { loading }),
      replicas: [
        {
          url: this.endpoint,
          state,
          circuit: 'closed',
          ...(lastError === undefined ? {} : { lastError }),
          lastCheckedAt: new Date().toISOString(),
          consecutiveFailures: this.shared.state === 'failed' ? 1 : 0,
        },
      ],
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.registry.release(this.shared);
  }

  /** A caller that gives up while the model loads stops waiting; the shared load itself carries on. */
  private waitFor<T>(promise: Promise<T>, signal?: AbortSignal): Promise<T> {
    if (signal === undefined) return promise;
    if (signal.aborted) return Promise.reject(cancelled(signal, false));
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => reject(cancelled(signal, false));
      signal.addEventListener('abort', onAbort, { once: true });
      promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
    });
  }

  private toInferenceError(error: unknown, signal?: AbortSignal): InferenceError {
    if (error instanceof InferenceError) return error;
    if (signal?.aborted && signal.reason instanceof InferenceError) return signal.reason;
    if (signal?.aborted) return cancelled(signal, false);
    const reason = error instanceof Error ? error.message : String(error);
    return new InferenceError(
      'UPSTREAM_ERROR',
      `Embedded model ${this.source.path} failed: ${reason}`,
      {
        role: this.role,
        endpoint: this.endpoint,
      },
      { cause: error },
    );
  }

  private async describeState(): Promise<{ state: EndpointHealth['state']; lastError?: string }> {
    switch (this.shared.state) {
      case 'loaded':
        return { state: 'up' };
      case 'loading':
        return { state: 'degraded', lastError: this.shared.status?.message ?? 'loading the model' };
      case 'failed':
        return { state: 'down', lastError: this.shared.lastError?.message ?? 'loading failed' };
      case 'idle':
        if (await exists(this.source.path)) return { state: 'up' };
        return this.source.kind === 'remote'
          ? { state: 'degraded', lastError: 'model not downloaded yet: the first request downloads it' }
          : { state: 'down', lastError: `model file ${this.source.path} does not exist` };
    }
  }

  private assertOpen(): void {
    if (this.closed)
      throw new InferenceError('CONFIG', `the embedded ${this.role} client was closed`, { role: this.role });
  }
}

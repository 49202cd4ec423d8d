import { basename } from 'node:path';
import { performance } from 'node:perf_hooks';
import type {
  ChatHistoryItem,
  GbnfJsonSchema,
  LLamaChatGenerateResponseOptions,
  LlamaChatResponse,
  LlamaGrammar,
} from 'node-llama-cpp';
import { InferenceError } from '../inference.errors';
import type {
  ClientCapabilities,
  EndpointHealth,
  FinishReason,
  GenerationRequest,
  GenerationResult,
  ModelClient,
  ModelLoadStatus,
  ModelRole,
  StreamEvent,
} from '../inference.types';
import { toChatHistory } from './chat-history';
import { toGrammarSchema } from './json-schema-grammar';
import { exists } from './model-loader';
import type { EmbeddedModelRegistry, LoadedModel, SharedModel } from './model-registry';
import type { ModelSource } from './model-source';
import { Deadline } from './deadline';
import { streamFromCallbacks } from './stream-from-callbacks';

/** Without a limit a model that never emits end-of-sequence would fill the whole context. */
export const DEFAULT_MAX_TOKENS = 2048;

type StopReason = LlamaChatResponse['metadata']['stopReason'];

const FINISH_REASONS: Record<StopReason, FinishReason> = {
  eogToken: 'stop',
  stopGenerationTrigger: 'stop',
  customStopTrigger: 'stop',
  functionCalls: 'tool_calls',
  maxTokens: 'length',
  abort: 'cancelled',
};

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

  async generate(request: GenerationRequest): Promise<GenerationResult> {
    this.assertOpen();
    const started = performance.now();
    const deadline = new Deadline(this.timeoutMs, request.signal, () => this.timeoutError());
    try {
      const loaded = await this.modelFor(request);
      deadline.start();
      const bounded = { ...request, signal: deadline.signal };
      return await loaded.queue.run(() => this.runGeneration(loaded, bounded, started), deadline.signal);
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

  private async runGeneration(
    loaded: LoadedModel,
    request: GenerationRequest,
    started: number,
  ): Promise<GenerationResult> {
    request.signal?.throwIfAborted();
    const history = toChatHistory(request.messages);
    const promptTokens = this.countPromptTokens(loaded, history);
    // the answer may only use what the prompt left of the context: clipped, it ends with "length"
    const room = loaded.context.contextSize - promptTokens;
    const maxTokens = Math.min(request.maxTokens ?? DEFAULT_MAX_TOKENS, room);
    const grammar =
      request.jsonSchema === undefined ? undefined : await compiledGrammar(loaded, request.jsonSchema.schema);
    const progress = { completionTokens: 0, firstTokenAt: undefined as number | undefined };
    const response = await loaded.chat.generateResponse(
      [...history],
      generationOptions({ ...request, maxTokens }, grammar, progress),
    );
    if (request.signal?.aborted) throw cancelled(request.signal, progress.completionTokens > 0);
    const { completionTokens, firstTokenAt } = progress;
    return {
      text: response.response,
      toolCalls: [],
      finishReason: FINISH_REASONS[response.metadata.stopReason],
      usage: { promptTokens, completionTokens, totalTokens: promptTokens + completionTokens },
      model: basename(this.source.path, '.gguf'),
      endpoint: this.endpoint,
      attempts: 1,
      timings: {
        firstTokenMs: (firstTokenAt ?? performance.now()) - started,
        totalMs: performance.now() - started,
      },
    };
  }

  /**
   * Prompt tokens as the model sees them (the history rendered by its chat template). A prompt that
   * does not fit the context cannot be answered at all: say which setting to raise instead of letting
   * llama.cpp fail inside its context shift.
   */
  private countPromptTokens(loaded: LoadedModel, history: ChatHistoryItem[]): number {
    const chatHistory: ChatHistoryItem[] = [...history, { type: 'model', response: [] }];
    const rendered = loaded.chat.chatWrapper.generateContextState({ chatHistory });
    const promptTokens = rendered.contextText.tokenize(loaded.model.tokenizer).length;
    const contextSize = loaded.context.contextSize;
    if (promptTokens < contextSize) return promptTokens;
    const trained = loaded.model.trainContextSize;
    const fix =
      contextSize >= trained
        ? `that is this model's limit (its training context; EMBEDDED_CONTEXT_SIZE cannot go beyond it): shorten the input`
        : `raise EMBEDDED_CONTEXT_SIZE (this model supports up to ${trained}) or shorten the input`;
    throw new InferenceError(
      'CONFIG',
      `The prompt needs ${promptTokens} tokens but the embedded context holds ${contextSize}: ${fix}`,
      { role: this.role, endpoint: this.endpoint },
    );
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

interface GenerationProgress {
  completionTokens: number;
  firstTokenAt: number | undefined;
}

/** Request → node-llama-cpp options; `stopOnAbortSignal` keeps the sequence usable after a cancel. */
function generationOptions(
  request: GenerationRequest,
  grammar: LlamaGrammar | undefined,
  progress: GenerationProgress,
): LLamaChatGenerateResponseOptions {
  return {
    ...(grammar === undefined ? {} : { grammar }),
    ...(request.signal === undefined ? {} : { signal: request.signal, stopOnAbortSignal: true }),
    maxTokens: request.maxTokens ?? DEFAULT_MAX_TOKENS,
    temperature: request.temperature ?? 0,
    ...(request.stop === undefined || request.stop.length === 0 ? {} : { customStopTriggers: request.stop }),
    onToken: (tokens) => {
      progress.firstTokenAt ??= performance.now();
      progress.completionTokens += tokens.length;
    },
    onTextChunk: (text) => request.onToken?.(text),
  };
}

function cancelled(signal: AbortSignal, partialOutput: boolean): InferenceError {
  const reason: unknown = signal.reason;
  // our own deadline (MODEL_TIMEOUT_SECONDS) aborts with its TIMEOUT error
  if (reason instanceof InferenceError) {
    reason.details.partialOutput = partialOutput;
    return reason;
  }
  const detail = reason instanceof Error && reason.name !== 'AbortError' ? `: ${reason.message}` : '';
  return new InferenceError(
    'CANCELLED',
    `generation was cancelled${detail}`,
    { partialOutput },
    { cause: reason },
  );
}

function compiledGrammar(loaded: LoadedModel, schema: Record<string, unknown>): Promise<LlamaGrammar> {
  const key = JSON.stringify(schema);
  let grammar = loaded.grammars.get(key);
  if (grammar === undefined) {
    grammar = loaded.llama.createGrammarForJsonSchema<GbnfJsonSchema>(toGrammarSchema(schema));
    loaded.grammars.set(key, grammar);
    grammar.catch(() => loaded.grammars.delete(key));
  }
  return grammar;
}

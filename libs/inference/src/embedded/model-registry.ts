import type { Llama, LlamaChat, LlamaContext, LlamaGrammar, LlamaModel } from 'node-llama-cpp';
import type { ModelLoadStatus } from '../inference.types';
import { GenerationQueue } from './generation-queue';

/** One loaded model with the single context both roles generate on, one answer at a time. */
export interface LoadedModel {
  path: string;
  llama: Llama;
  model: LlamaModel;
  context: LlamaContext;
  chat: LlamaChat;
  queue: GenerationQueue;
  /** compiled grammars by schema text: compiling one costs more than a short answer on the tiny test model */
  grammars: Map<string, Promise<LlamaGrammar>>;
  loadMs: number;
}

export type ModelLoadState = 'idle' | 'loading' | 'loaded' | 'failed';

/**
 * A model shared by every client that resolved to the same file: loaded lazily by the first call
 * (concurrent first calls share that one load), retried on the next call after a failure, disposed
 * when the last client releases it.
 */
export class SharedModel {
  private loading?: Promise<LoadedModel>;
  private loaded?: LoadedModel;
  private failure?: Error;
  private readonly statusListeners = new Set<(status: ModelLoadStatus) => void>();
  /** the download or load in progress (undefined when idle, loaded or failed) */
  status?: ModelLoadStatus;
  references = 0;

  constructor(
    readonly key: string,
    private readonly load: () => Promise<LoadedModel>,
  ) {}

  get state(): ModelLoadState {
    if (this.loaded !== undefined) return 'loaded';
    if (this.loading !== undefined) return 'loading';
    return this.failure === undefined ? 'idle' : 'failed';
  }

  get lastError(): Error | undefined {
    return this.failure;
  }

  /** Follows the download/load progress until it ends; returns the unsubscribe function. */
  onStatus(listener: (status: ModelLoadStatus) => void): () => void {
    this.statusListeners.add(listener);
    if (this.status !== undefined) listener(this.status);
    return () => this.statusListeners.delete(listener);
  }

  reportStatus(status: ModelLoadStatus): void {
    this.status = status;
    for (const listener of this.statusListeners) listener(status);
  }

  get(): Promise<LoadedModel> {
    if (this.loaded !== undefined) return Promise.resolve(this.loaded);
    this.loading ??= this.startLoad();
    return this.loading;
  }

  async dispose(): Promise<void> {
    const loaded = this.loaded ?? (await this.loading?.catch(() => undefined));
    this.loaded = undefined;
    if (loaded === undefined) return;
    loaded.chat.dispose();
    await loaded.context.dispose();
    await loaded.model.dispose();
  }

  private async startLoad(): Promise<LoadedModel> {
    // said at once: the file check (and a HEAD request before a download) precede the first progress
    this.reportStatus({ phase: 'loading', message: 'preparing the model (downloading it if it is missing)' });
    try {
      this.loaded = await this.load();
      this.failure = undefined;
      return this.loaded;
    } catch (error) {
      this.failure = error instanceof Error ? error : new Error(String(error));
      throw error;
    } finally {
      this.loading = undefined;
      this.status = undefined;
    }
  }
}

/** Process-wide: both roles resolving to one file get one model in memory, not two. */
export class EmbeddedModelRegistry {
  private readonly models = new Map<string, SharedModel>();
  private readonly llamas = new Map<string, Promise<Llama>>();

  /** One llama.cpp backend per GPU setting, created on first use and freed with the last model. */
  llama(gpuSetting: string, create: () => Promise<Llama>): Promise<Llama> {
    let llama = this.llamas.get(gpuSetting);
    if (llama === undefined) {
      llama = create();
      this.llamas.set(gpuSetting, llama);
      llama.catch(() => this.llamas.delete(gpuSetting));
    }
    return llama;
  }

  acquire(key: string, load: () => Promise<LoadedModel>): SharedModel {
    let shared = this.models.get(key);
    if (shared === undefined) {
      shared = new SharedModel(key, load);
      this.models.set(key, shared);
    }
    shared.references++;
    return shared;
  }

  async release(shared: SharedModel): Promise<void> {
    shared.references--;
    if (shared.references > 0 || this.models.get(shared.key) !== shared) return;
    this.models.delete(shared.key);
    await shared.dispose();
    if (this.models.size === 0) await this.disposeLlamas();
  }

  /** For shutdown hooks: frees every model whatever its reference count. */
  async releaseAll(): Promise<void> {
    const all = [...this.models.values()];
    this.models.clear();
    await Promise.all(all.map((shared) => shared.dispose()));
    await this.disposeLlamas();
  }

  private async disposeLlamas(): Promise<void> {
    const llamas = [...this.llamas.values()];
    this.llamas.clear();
    for (const llama of llamas) await (await llama.catch(() => undefined))?.dispose();
  }

  /** The shared model of a resolved file path, if some client holds it. */
  find(key: string): SharedModel | undefined {
    return this.models.get(key);
  }

  get size(): number {
    return this.models.size;
  }
}

export const defaultEmbeddedModelRegistry = new EmbeddedModelRegistry();

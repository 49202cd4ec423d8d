import { homedir } from 'node:os';
import { basename, join } from 'node:path';
import type { ModelClient, ModelRole } from '../inference.types';
import { EmbeddedModelClient } from './embedded-model-client';
import type { DownloadProgress } from './model-download';
import { loadModel, type ModelLoadSettings } from './model-loader';
import { defaultEmbeddedModelRegistry, type EmbeddedModelRegistry, type SharedModel } from './model-registry';
import type { ModelLoadStatus } from '../inference.types';
import { resolveModelSource } from './model-source';
import { createProgressBar, formatBytes, type ProgressOutput } from './progress-bar';

export { DEFAULT_MODEL, DEFAULT_MODEL_URI } from './default-model';
export { EmbeddedModelClient } from './embedded-model-client';
export { DEFAULT_MAX_TOKENS } from './chat-generation';
export { downloadModel, sha256OfFile, type DownloadOptions, type DownloadProgress } from './model-download';
export { EmbeddedModelRegistry, defaultEmbeddedModelRegistry, type ModelLoadState } from './model-registry';
export { resolveModelSource, type ModelSource } from './model-source';
export { toGrammarSchema } from './json-schema-grammar';
export { toChatHistory } from './chat-history';
export { GenerationQueue } from './generation-queue';
export { chooseContextSize, chooseThreads } from './machine-resources';
export { createProgressBar, formatBytes, type ProgressOutput } from './progress-bar';

/** Where models are cached when MODEL_CACHE_DIR is not set. */
export const DEFAULT_MODEL_CACHE_DIR = join(homedir(), '.cache', 'code-model-mcp', 'models');
export const HUGGING_FACE_BASE_URL = 'https://huggingface.co';

/** What the embedded (in-process llama.cpp) backend needs to serve one role. */
export interface EmbeddedClientOptions {
  role: ModelRole;
  /** local GGUF path or `hf:` URI; undefined → the default model */
  modelFile?: string;
  /** where downloaded models are cached */
  cacheDir?: string;
  /** CPU threads; undefined → from the machine (≤ physical cores) */
  threads?: number;
  contextSize?: number;
  /** MODEL_TIMEOUT_SECONDS in ms: queue wait plus generation (not loading or downloading); 0 = none */
  timeoutMs?: number;
  /** `auto` (default) uses CUDA/Vulkan/Metal when the machine has them; `false` stays on the CPU */
  gpu?: 'auto' | false;
  /** base URL of the model hub for `hf:` URIs and the default model (tests use a local server) */
  huggingFaceBaseUrl?: string;
  /** connect timeout of model downloads (default 10 s): offline machines fail fast */
  connectTimeoutMs?: number;
  /** where the download progress bar goes (default stderr); `false` for none */
  progressOutput?: ProgressOutput | false;
  /** called with download progress, in addition to the bar */
  onDownloadProgress?: (progress: DownloadProgress) => void;
  /** warnings (unverified download, llama.cpp warnings); default: stderr */
  warn?: (message: string) => void;
  /** defaults to the process-wide registry, which is what makes both roles share one model */
  registry?: EmbeddedModelRegistry;
}

/**
 * Builds the client of one role on an in-process llama.cpp model. Nothing is loaded or downloaded
 * here: the first generation does it, so a gateway starts instantly and health reports the state.
 */
export function createEmbeddedModelClient(options: EmbeddedClientOptions): ModelClient {
  const registry = options.registry ?? defaultEmbeddedModelRegistry;
  const source = resolveModelSource({
    ...(options.modelFile === undefined ? {} : { modelFile: options.modelFile }),
    cacheDir: options.cacheDir ?? DEFAULT_MODEL_CACHE_DIR,
    huggingFaceBaseUrl: options.huggingFaceBaseUrl ?? HUGGING_FACE_BASE_URL,
  });
  const settings = loadSettings(options, source.path);
  // the first client's load runs for every client of this file: its progress goes to the shared model
  const shared: SharedModel = registry.acquire(source.path, () =>
    loadModel(
      source,
      withStatus(settings, source.path, (status) => shared.reportStatus(status)),
      registry,
    ),
  );
  return new EmbeddedModelClient(options.role, source, shared, registry, options.timeoutMs ?? 0);
}

/**
 * Loads (downloading if needed) the model behind an embedded client now rather than on the first
 * request; resolves false for other clients. For start-up: the progress bar shows before any call.
 */
export async function preloadIfEmbedded(client: ModelClient): Promise<boolean> {
  if (!(client instanceof EmbeddedModelClient)) return false;
  await client.preload();
  return true;
}

function loadSettings(options: EmbeddedClientOptions, path: string): ModelLoadSettings {
  const warn = options.warn ?? ((message: string) => void process.stderr.write(`${message}\n`));
  const bar =
    options.progressOutput === false
      ? undefined
      : createProgressBar(`Downloading ${path}`, options.progressOutput ?? process.stderr);
  const onProgress = options.onDownloadProgress;
  return {
    gpu: options.gpu ?? 'auto',
    ...(options.threads === undefined ? {} : { threads: options.threads }),
    ...(options.contextSize === undefined ? {} : { contextSize: options.contextSize }),
    connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
    offlineHint: offlineHint(options.role),
    onDownloadProgress: (progress) => {
      bar?.(progress);
      onProgress?.(progress);
    },
    warn,
  };
}

function offlineHint(role: ModelRole): string {
  const variable = role === 'code' ? 'STARCODER_MODEL_FILE' : 'MISTRAL_MODEL_FILE';
  return (
    `Set ${variable} (and/or ${role === 'code' ? 'MISTRAL_MODEL_FILE' : 'STARCODER_MODEL_FILE'}) to a local .gguf file, ` +
    'or MODEL_CACHE_DIR to a directory that already holds the model, or configure a model endpoint, or connect to the internet once.'
  );
}

/** Download progress and the load phase as `ModelLoadStatus` for health, logs and waiting callers. */
function withStatus(
  settings: ModelLoadSettings,
  path: string,
  report: (status: ModelLoadStatus) => void,
): ModelLoadSettings {
  const file = basename(path);
  return {
    ...settings,
    onDownloadProgress: (progress) => {
      settings.onDownloadProgress?.(progress);
      report(downloadStatus(file, progress));
    },
    onLoadStart: () => report({ phase: 'loading', message: `loading ${file}` }),
  };
}

function downloadStatus(file: string, progress: DownloadProgress): ModelLoadStatus {
  const { receivedBytes, totalBytes } = progress;
  if (totalBytes === undefined || totalBytes === 0) {
    return {
      phase: 'downloading',
      receivedBytes,
      message: `downloading ${file}: ${formatBytes(receivedBytes)}`,
    };
  }
  const percent = Math.floor((receivedBytes / totalBytes) * 100);
  const message = `downloading ${file}: ${percent}% (${formatBytes(receivedBytes)} of ${formatBytes(totalBytes)})`;
  return { phase: 'downloading', percent, receivedBytes, totalBytes, message };
}

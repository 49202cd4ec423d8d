import { access } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { InferenceError } from '../inference.errors';
import { chooseContextSize, chooseThreads } from './machine-resources';
import { downloadModel, type DownloadProgress } from './model-download';
import type { EmbeddedModelRegistry, LoadedModel } from './model-registry';
import type { ModelSource } from './model-source';
import { loadNodeLlamaCpp } from './node-llama-cpp.loader';
import { GenerationQueue } from './generation-queue';

export interface ModelLoadSettings {
  /** `false` keeps everything on the CPU; `auto` offloads to CUDA/Vulkan/Metal when present */
  gpu: 'auto' | false;
  threads?: number;
  contextSize?: number;
  connectTimeoutMs: number;
  /** what to set instead of downloading, named in the offline error */
  offlineHint: string;
  onDownloadProgress?: (progress: DownloadProgress) => void;
  /** the file is on disk; loading it into memory starts */
  onLoadStart?: () => void;
  warn: (message: string) => void;
}

/** Makes sure the file is on disk (downloading it if needed), then loads it with a context sized to the machine. */
export async function loadModel(
  source: ModelSource,
  settings: ModelLoadSettings,
  registry: EmbeddedModelRegistry,
): Promise<LoadedModel> {
  await ensureModelFile(source, settings);
  settings.onLoadStart?.();
  const started = performance.now();
  const nodeLlamaCpp = await loadNodeLlamaCpp();
  const llama = await registry.llama(String(settings.gpu), () =>
    nodeLlamaCpp.getLlama({
      build: 'never',
      gpu: settings.gpu,
      logLevel: nodeLlamaCpp.LlamaLogLevel.warn,
      logger: (level, message) => settings.warn(`[llama.cpp ${level}] ${message.trim()}`),
    }),
  );
  const model = await loadWeights(llama, source.path, settings);
  warnAboveTrainedContext(settings, model.trainContextSize);
  const context = await model.createContext({
    contextSize: chooseContextSize(settings.contextSize, model.trainContextSize),
    threads: chooseThreads(settings.threads, llama.cpuMathCores),
    sequences: 1,
  });
  const chat = new nodeLlamaCpp.LlamaChat({ contextSequence: context.getSequence() });
  const loadMs = performance.now() - started;
  return {
    path: source.path,
    llama,
    model,
    context,
    chat,
    queue: new GenerationQueue(),
    grammars: new Map(),
    loadMs,
  };
}

/** EMBEDDED_CONTEXT_SIZE above the training context is capped: say so once, with the real limit. */
function warnAboveTrainedContext(settings: ModelLoadSettings, trained: number): void {
  if (settings.contextSize === undefined || settings.contextSize <= trained) return;
  settings.warn(
    `EMBEDDED_CONTEXT_SIZE=${settings.contextSize} is more than this model was trained on: using its limit of ${trained} tokens`,
  );
}

async function loadWeights(llama: LoadedModel['llama'], path: string, settings: ModelLoadSettings) {
  try {
    return await llama.loadModel({ modelPath: path, gpuLayers: settings.gpu === false ? 0 : 'auto' });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new InferenceError(
      'CONFIG',
      `Cannot load the model file ${path}: ${reason}. Is it a complete GGUF file?`,
      { unavailable: true },
      { cause: error },
    );
  }
}

async function ensureModelFile(source: ModelSource, settings: ModelLoadSettings): Promise<void> {
  if (await exists(source.path)) return;
  if (source.kind === 'local') {
    const message = `Model file ${source.path} does not exist. ${settings.offlineHint}`;
    throw new InferenceError('CONFIG', message, { unavailable: true });
  }
  await downloadModel({
    url: source.url,
    destination: source.path,
    ...(source.sha256 === undefined ? {} : { sha256: source.sha256 }),
    connectTimeoutMs: settings.connectTimeoutMs,
    offlineHint: settings.offlineHint,
    warn: settings.warn,
    ...(settings.onDownloadProgress === undefined ? {} : { onProgress: settings.onDownloadProgress }),
  });
}

export async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

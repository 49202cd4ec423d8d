import { InferenceError } from '../inference.errors';
import type { ModelClient, ModelRole } from '../inference.types';

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
}

/** Builds the embedded client (replaced by the real node-llama-cpp implementation). */
export function createEmbeddedModelClient(options: EmbeddedClientOptions): ModelClient {
  throw new InferenceError('CONFIG', `embedded engine for ${options.role} is not available yet`);
}

/**
 * The model both roles run on when no endpoint and no model file is configured.
 *
 * Qwen2.5-Coder-1.5B-Instruct, Q4_K_M quantisation (~1.1 GB, Apache-2.0), from the Qwen team's own GGUF
 * repository. Chosen because it is the strongest published coder that fits a laptop without a GPU:
 * HumanEval 70.7 (pass@1) for the 1.5B instruct model in the Qwen2.5-Coder Technical Report
 * (arXiv:2409.12186, instruct-model evaluation table), it follows chat instructions for planning and
 * review, and llama.cpp runs it on a few CPU cores at interactive speed. See README.md in this folder.
 */
export const DEFAULT_MODEL = {
  repository: 'Qwen/Qwen2.5-Coder-1.5B-Instruct-GGUF',
  revision: 'main',
  file: 'qwen2.5-coder-1.5b-instruct-q4_k_m.gguf',
  /**
   * Pinned content hash. Left undefined until it is copied from the file's page on the hub (this code
   * was written without access to it); while undefined the hub's own `X-Linked-Etag` (the LFS sha256)
   * is checked instead, so the download is still verified end to end.
   */
  sha256: undefined as string | undefined,
} as const;

export const DEFAULT_MODEL_URI = `hf:${DEFAULT_MODEL.repository}/${DEFAULT_MODEL.file}`;

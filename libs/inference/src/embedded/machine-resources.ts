/** Context sizes tried when none is configured: node-llama-cpp picks the largest that fits in memory. */
const PREFERRED_MAX_CONTEXT = 8192;
const PREFERRED_MIN_CONTEXT = 2048;

export type ContextSizeSetting = number | { min: number; max: number };

/**
 * Threads for generation. llama.cpp gets slower, not faster, with more threads than physical cores
 * (hyper-threads share the FPU), so the default is what node-llama-cpp measured as math cores.
 */
export function chooseThreads(configured: number | undefined, physicalMathCores: number): number {
  const physical = Math.max(1, physicalMathCores);
  if (configured === undefined) return physical;
  return Math.max(1, Math.min(Math.floor(configured), physical));
}

/** An explicit size is kept (capped at what the model was trained on); otherwise a range to fit memory. */
export function chooseContextSize(
  configured: number | undefined,
  trainContextSize: number,
): ContextSizeSetting {
  if (configured !== undefined) return Math.min(configured, trainContextSize);
  const max = Math.min(PREFERRED_MAX_CONTEXT, trainContextSize);
  return { min: Math.min(PREFERRED_MIN_CONTEXT, max), max };
}

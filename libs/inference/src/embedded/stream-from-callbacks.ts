import type { GenerationResult, StreamEvent } from '../inference.types';

type Run = (onToken: (text: string) => void, signal: AbortSignal) => Promise<GenerationResult>;

/**
 * Turns a callback-style generation into an async iterable of token events ending with `done`.
 * A consumer that stops iterating early aborts the generation instead of letting it run on unseen.
 */
export async function* streamFromCallbacks(run: Run, outerSignal?: AbortSignal): AsyncGenerator<StreamEvent> {
  const controller = new AbortController();
  const forwardAbort = () => controller.abort(outerSignal?.reason);
  if (outerSignal?.aborted) forwardAbort();
  else outerSignal?.addEventListener('abort', forwardAbort, { once: true });
  const pending: StreamEvent[] = [];
  let wake: (() => void) | undefined;
  let finished = false;
  let failure: { error: unknown } | undefined;
  const notify = () => wake?.();
  const generation = run((text) => (pending.push({ type: 'token', text }), notify()), controller.signal).then(
    (result) => pending.push({ type: 'done', result }),
    (error: unknown) => (failure = { error }),
  );
  void generation.finally(() => ((finished = true), notify()));
  try {
    for (;;) {
      const next = pending.shift();
      if (next !== undefined) yield next;
      else if (finished) break;
      else await new Promise<void>((resolve) => (wake = resolve));
    }
    if (failure !== undefined) throw failure.error;
  } finally {
    outerSignal?.removeEventListener('abort', forwardAbort);
    if (!finished) controller.abort(new Error('stream consumer stopped reading'));
  }
}

import { InferenceError } from '../inference.errors';

/**
 * The caller's signal plus MODEL_TIMEOUT_SECONDS, started once the model is loaded (a first download is
 * reported as progress instead). Aborts with the TIMEOUT error as its reason; 0 = no deadline.
 */
export class Deadline {
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private readonly onCallerAbort = () => this.controller.abort(this.caller?.reason);

  constructor(
    private readonly ms: number,
    private readonly caller: AbortSignal | undefined,
    private readonly error: () => InferenceError,
  ) {
    if (caller?.aborted) this.controller.abort(caller.reason);
    caller?.addEventListener('abort', this.onCallerAbort, { once: true });
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  start(): void {
    if (this.ms > 0) this.timer = setTimeout(() => this.controller.abort(this.error()), this.ms);
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.caller?.removeEventListener('abort', this.onCallerAbort);
  }
}

/**
 * The error for an aborted signal: our own deadline's TIMEOUT error (its abort reason), otherwise
 * CANCELLED like the HTTP adapters. `partialOutput` says whether tokens had been produced.
 */
export function cancelled(signal: AbortSignal, partialOutput: boolean): InferenceError {
  const reason: unknown = signal.reason;
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

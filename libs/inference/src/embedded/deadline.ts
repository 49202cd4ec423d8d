import type { InferenceError } from '../inference.errors';

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

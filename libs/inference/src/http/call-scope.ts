import { InferenceError } from '../inference.errors';
import type { ModelRole } from '../inference.types';
import { startTimer, type Clock, type DeadlineTimer } from './clock';
import { roleLabel } from './endpoint';

/**
 * One model call's signal: aborted when the caller aborts (→ CANCELLED) or the total deadline passes
 * (→ TIMEOUT, phase total). Every attempt, backoff sleep and bulkhead wait listens to it.
 */
export class CallScope {
  private readonly controller = new AbortController();
  private readonly timer: DeadlineTimer;
  private readonly onCallerAbort = () => this.controller.abort(cancelledError(this.role));

  constructor(
    private readonly role: ModelRole,
    private readonly callerSignal: AbortSignal | undefined,
    readonly timeoutMs: number,
    clock: Clock,
  ) {
    this.timer = startTimer(clock, timeoutMs, () =>
      this.controller.abort(totalTimeoutError(role, timeoutMs)),
    );
    if (callerSignal?.aborted) this.onCallerAbort();
    else callerSignal?.addEventListener('abort', this.onCallerAbort, { once: true });
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  dispose(): void {
    this.timer.cancel();
    this.callerSignal?.removeEventListener('abort', this.onCallerAbort);
  }
}

export function cancelledError(role: ModelRole): InferenceError {
  return new InferenceError(
    'CANCELLED',
    `${roleLabel(role)} call was cancelled by the caller; the upstream request was closed`,
    {
      role,
    },
  );
}

function totalTimeoutError(role: ModelRole, timeoutMs: number): InferenceError {
  const seconds = Math.round(timeoutMs / 100) / 10;
  const message = `${roleLabel(role)} call did not finish within ${seconds} s (MODEL_TIMEOUT_SECONDS) — raise it, lower max tokens or check the server's load`;
  return new InferenceError('TIMEOUT', message, { role, phase: 'total' });
}

/** Resolves/rejects like `promise`, but rejects with the signal's reason as soon as it aborts. */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    promise.catch(() => undefined);
    return Promise.reject(signal.reason as Error);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: Error) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

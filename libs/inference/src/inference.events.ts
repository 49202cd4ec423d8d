import type { InferenceErrorCode } from './inference.errors';
import type { ModelProtocol, ModelRole, TokenUsage } from './inference.types';

export interface InferenceCallStarted {
  role: ModelRole;
  protocol: ModelProtocol;
  streamed: boolean;
}

export interface InferenceCallFinished extends InferenceCallStarted {
  /** the replica that answered last (undefined when none was reached) */
  endpoint?: string;
  latencyMs: number;
  /** undefined when no token arrived */
  firstTokenMs?: number;
  attempts: number;
  retries: number;
  /** undefined on success */
  errorCode?: InferenceErrorCode;
  usage?: TokenUsage;
}

/** Callbacks for metrics; they run on the call path, so keep them cheap and non-throwing. */
export interface InferenceObserver {
  callStarted?(event: InferenceCallStarted): void;
  callFinished?(event: InferenceCallFinished): void;
}

/**
 * Fan-out of call events to any number of observers (the gateway subscribes its Prometheus metrics).
 * Injected under `INFERENCE_EVENTS`; an observer that throws is ignored rather than failing the call.
 */
export class InferenceEvents implements InferenceObserver {
  private readonly observers = new Set<InferenceObserver>();

  subscribe(observer: InferenceObserver): () => void {
    this.observers.add(observer);
    return () => this.observers.delete(observer);
  }

  callStarted(event: InferenceCallStarted): void {
    for (const observer of this.observers) safely(() => observer.callStarted?.(event));
  }

  callFinished(event: InferenceCallFinished): void {
    for (const observer of this.observers) safely(() => observer.callFinished?.(event));
  }
}

function safely(run: () => void): void {
  try {
    run();
  } catch {
    // metrics must never break a model call
  }
}

import type { ModelRole } from './inference.types';

export const INFERENCE_ERROR_CODES = [
  'TIMEOUT',
  'RATE_LIMITED',
  'UPSTREAM_ERROR',
  'INVALID_RESPONSE',
  'CIRCUIT_OPEN',
  'CANCELLED',
  'CONFIG',
] as const;
export type InferenceErrorCode = (typeof INFERENCE_ERROR_CODES)[number];

export interface InferenceErrorDetails {
  role?: ModelRole;
  endpoint?: string;
  /** upstream HTTP status, when there was one */
  status?: number;
  attempts?: number;
  /** which deadline fired: connect, first-token, idle, total */
  phase?: 'connect' | 'first-token' | 'idle' | 'total';
  retryAfterMs?: number;
  /** whether output had already been streamed to the caller when it failed */
  partialOutput?: boolean;
  /** the upstream's own error message, trimmed */
  upstreamMessage?: string;
  /**
   * model output quoted in the message (it may echo the user's code): whoever logs the message removes it
   * unless LOG_PAYLOADS=true
   */
  excerpt?: string;
  /**
   * a first-token deadline fired while the server kept answering other calls (queued behind its slots):
   * slow under load, not unwell — neither retried (that would queue again) nor counted by the breaker
   */
  serverBusy?: boolean;
  /** the model stopped at the token limit (`max_tokens`): its answer was cut */
  truncated?: boolean;
  /** the model cannot be reached or loaded now, but retrying later may help (REST: 503 + Retry-After) */
  unavailable?: boolean;
}

/** The one error type of the inference library; `message` says what happened and what to do. */
export class InferenceError extends Error {
  constructor(
    readonly code: InferenceErrorCode,
    message: string,
    readonly details: InferenceErrorDetails = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'InferenceError';
  }

  /**
   * Whether a new attempt may succeed: nothing was streamed yet and the failure is transient
   * (connection failures and resets, 408, 429, 5xx, a connect or first-token deadline).
   */
  get retryable(): boolean {
    if (this.details.partialOutput || this.details.serverBusy) return false;
    if (this.code === 'RATE_LIMITED') return true;
    if (this.code === 'TIMEOUT')
      return this.details.phase === 'connect' || this.details.phase === 'first-token';
    if (this.code !== 'UPSTREAM_ERROR') return false;
    const status = this.details.status;
    return status === undefined || status === 408 || status >= 500;
  }
}

export function isInferenceError(error: unknown): error is InferenceError {
  return error instanceof InferenceError;
}

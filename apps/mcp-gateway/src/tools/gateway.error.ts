import type { ErrorCode } from '@app/contracts';
import { isInferenceError, type InferenceError } from '@app/inference';
import { isSandboxError, type SandboxError } from '@app/sandbox';

export interface GatewayErrorOptions {
  cause?: unknown;
  /** the full story for the logs (upstream URLs included); `message` is what clients get */
  operatorMessage?: string;
  /** model output quoted in the messages: logged only with LOG_PAYLOADS=true */
  payloadExcerpt?: string;
}

/** The gateway's one error type: a contract error code plus what a person needs to act on it. */
export class GatewayError extends Error {
  readonly operatorMessage: string;
  readonly payloadExcerpt?: string;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    options: GatewayErrorOptions = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'GatewayError';
    this.operatorMessage = options.operatorMessage ?? message;
    this.payloadExcerpt = options.payloadExcerpt;
  }
}

/** Where the model servers are is the operator's business: clients read "the model server" instead. */
const URL_PATTERN = /\bhttps?:\/\/[^\s"'<>]+/g;

export function withoutUrls(message: string): string {
  return message.replace(URL_PATTERN, '<model server>');
}

/** Model failures keep their code; the message already says what happened and what to do. */
function fromInferenceError(error: InferenceError): GatewayError {
  const { status, attempts, phase, retryAfterMs, unavailable, truncated, excerpt } = error.details;
  const details = { status, attempts, phase, retryAfterMs, unavailable, truncated };
  const full = `The code model failed: ${error.message}`;
  return new GatewayError(error.code, withoutUrls(full), details, {
    cause: error,
    operatorMessage: full,
    payloadExcerpt: excerpt,
  });
}

/** The sandbox's own message says why execution is impossible and what to do; a bad request is the caller's. */
function fromSandboxError(error: SandboxError): GatewayError {
  const code = error.code === 'INVALID_REQUEST' ? 'VALIDATION_FAILED' : 'SANDBOX_UNAVAILABLE';
  return new GatewayError(code, error.message, undefined, { cause: error });
}

function isAbortError(error: unknown): boolean {
  return error instanceof Error && (error.name === 'AbortError' || error.name === 'CanceledError');
}

/** Every failure a tool run can produce becomes a GatewayError here, and only here. */
export function toGatewayError(error: unknown): GatewayError {
  if (error instanceof GatewayError) return error;
  if (isInferenceError(error)) return fromInferenceError(error);
  if (isSandboxError(error)) return fromSandboxError(error);
  if (isAbortError(error)) return new GatewayError('CANCELLED', 'The call was cancelled before it finished.');
  const reason = error instanceof Error ? error.message : String(error);
  return new GatewayError('INTERNAL', `Internal error in the gateway: ${reason}`, undefined, {
    cause: error,
  });
}

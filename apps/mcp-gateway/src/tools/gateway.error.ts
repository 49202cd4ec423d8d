import type { ErrorCode } from '@app/contracts';
import { isInferenceError, type InferenceError } from '@app/inference';
import { isSandboxError, type SandboxError } from '@app/sandbox';

/** The gateway's one error type: a contract error code plus what a person needs to act on it. */
export class GatewayError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'GatewayError';
  }
}

/** Model failures keep their code; the message already says what happened and what to do. */
function fromInferenceError(error: InferenceError): GatewayError {
  const { status, attempts, phase, retryAfterMs } = error.details;
  const details = { status, attempts, phase, retryAfterMs };
  return new GatewayError(error.code, `The code model failed: ${error.message}`, details, { cause: error });
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

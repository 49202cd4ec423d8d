import type { ErrorCode } from '@app/contracts';

/** The one error type of the agent app; its `code` maps to an HTTP status in the exception filter. */
export class AgentError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AgentError';
  }
}

export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

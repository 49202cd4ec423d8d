/** Why an execution could not even be attempted (a failing program is a result, not an error). */
export const SANDBOX_ERROR_CODES = [
  'SANDBOX_UNAVAILABLE',
  'LANGUAGE_UNAVAILABLE',
  'INVALID_REQUEST',
] as const;
export type SandboxErrorCode = (typeof SANDBOX_ERROR_CODES)[number];

export class SandboxError extends Error {
  constructor(
    readonly code: SandboxErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'SandboxError';
  }
}

export function isSandboxError(error: unknown): error is SandboxError {
  return error instanceof SandboxError;
}

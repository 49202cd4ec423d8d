export const PROMPT_ERROR_CODES = ['UNKNOWN_PROMPT', 'INVALID_ARGUMENTS'] as const;
export type PromptErrorCode = (typeof PROMPT_ERROR_CODES)[number];

/** The prompts lib's one error type; the gateway maps INVALID_ARGUMENTS to JSON-RPC -32602. */
export class PromptError extends Error {
  constructor(
    readonly code: PromptErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'PromptError';
  }
}

/**
 * Error codes shared by every transport. Each transport maps them in exactly one place:
 * REST → HTTP status, MCP → `isError` result or JSON-RPC error.
 */
export const ERROR_CODES = [
  'VALIDATION_FAILED',
  'UNKNOWN_TOOL',
  'NOT_FOUND',
  'UNAUTHORIZED',
  'PAYLOAD_TOO_LARGE',
  'TIMEOUT',
  'RATE_LIMITED',
  'UPSTREAM_ERROR',
  'INVALID_RESPONSE',
  'CIRCUIT_OPEN',
  'CANCELLED',
  /** the server is shutting down (or otherwise not taking the call): retry, on another instance if there is one */
  'UNAVAILABLE',
  'SANDBOX_UNAVAILABLE',
  'CONFIG',
  'INTERNAL',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export const HTTP_STATUS_BY_CODE: Readonly<Record<ErrorCode, number>> = {
  VALIDATION_FAILED: 400,
  UNKNOWN_TOOL: 404,
  NOT_FOUND: 404,
  UNAUTHORIZED: 401,
  PAYLOAD_TOO_LARGE: 413,
  TIMEOUT: 504,
  RATE_LIMITED: 429,
  UPSTREAM_ERROR: 502,
  INVALID_RESPONSE: 502,
  CIRCUIT_OPEN: 503,
  CANCELLED: 499,
  UNAVAILABLE: 503,
  SANDBOX_UNAVAILABLE: 503,
  CONFIG: 500,
  INTERNAL: 500,
};

/** A field-level problem: `path` is dotted ("spec.requirements.0"), `message` says what is expected. */
export interface FieldError {
  path: string;
  message: string;
}

/** The REST error body: `{"error":{"code","message","details?"}}`. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: unknown; correlationId?: string };
}

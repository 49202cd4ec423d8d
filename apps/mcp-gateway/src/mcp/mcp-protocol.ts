/**
 * The MCP vocabulary the gateway's own code uses, independent of either SDK line (v1 serves the 2025/2024
 * revisions over HTTP, v2 the 2026-07-28 revision and stdio): both SDKs accept these shapes structurally,
 * so handlers written against them plug into either.
 */

/** Which protocol family a request belongs to: `modern` = 2026-07-28 (per-request `_meta`), `legacy` = 2025/2024. */
export type McpEra = 'modern' | 'legacy';

export const MODERN_PROTOCOL_VERSION = '2026-07-28';

export type ProgressToken = string | number;

export type LoggingLevel =
  'debug' | 'info' | 'notice' | 'warning' | 'error' | 'critical' | 'alert' | 'emergency';

export const LOGGING_LEVELS: readonly LoggingLevel[] = [
  'debug',
  'info',
  'notice',
  'warning',
  'error',
  'critical',
  'alert',
  'emergency',
];

export function isLoggingLevel(value: unknown): value is LoggingLevel {
  return typeof value === 'string' && (LOGGING_LEVELS as readonly string[]).includes(value);
}

export interface TextBlock {
  type: 'text';
  text: string;
}

export interface ToolCallResult {
  [key: string]: unknown;
  content: TextBlock[];
  structuredContent?: Record<string, unknown>;
  isError?: boolean;
}

/** A notification a handler sends on the stream of the request it serves (progress, log messages). */
export interface RelatedNotification {
  method: string;
  params: Record<string, unknown>;
}
export type NotifySender = (notification: RelatedNotification) => Promise<void>;

/** JSON-RPC codes the handlers raise; both SDKs turn a thrown error's numeric `code` into the wire error. */
export const JSON_RPC_CODES = { invalidParams: -32602, methodNotFound: -32601 } as const;

/** A request whose params name something that does not exist (unknown tool, prompt, argument). */
export class InvalidParamsError extends Error {
  readonly code = JSON_RPC_CODES.invalidParams;

  constructor(message: string) {
    super(message);
    this.name = 'InvalidParamsError';
  }
}

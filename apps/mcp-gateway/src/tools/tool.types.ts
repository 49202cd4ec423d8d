import type { ToolName } from '@app/contracts';
import type { ModelLoadStatus, TraceContext } from '@app/inference';
import type { GatewayError } from './gateway.error';

/** Which door a call came through; a label on metrics and logs. */
export type TransportKind = 'streamable-http' | 'sse' | 'stdio' | 'rest' | 'in-memory';

/** What a running tool may use besides its input. */
export interface ToolRunContext {
  /** aborted on MCP cancellation, a dropped connection or shutdown; tools pass it to the model call */
  signal: AbortSignal;
  /** called with each streamed text delta; transports turn it into throttled progress notifications */
  onToken?: (delta: string) => void;
  /** the caller's W3C trace context; tools pass it to the model call, which sends it upstream */
  trace?: TraceContext;
  /** called when a multi-step tool starts a stage ("round 2 of 3: running the tests") */
  onProgress?: (message: string) => void;
  /** called while the call waits for the model itself (an embedded model still downloading or loading) */
  onWaiting?: (status: ModelLoadStatus) => void;
}

/** One tool: input already validated against its contract, output validated after it returns. */
export interface ToolHandler<I = never, O = unknown> {
  readonly name: ToolName;
  run(input: I, context: ToolRunContext): Promise<O>;
}

export type ToolOutcome = { ok: true; value: Record<string, unknown> } | { ok: false; error: GatewayError };

/** DI token for the list of tool handlers (one provider per tool). */
export const TOOL_HANDLERS = Symbol('TOOL_HANDLERS');

import type { ToolDefinition } from '@app/contracts';

/** What a tool call produced, as the loop needs it: success with the structured output, or an error message. */
export type ToolObservation = { ok: true; structured?: unknown; text: string } | { ok: false; error: string };

export interface ToolCallOptions {
  signal: AbortSignal;
  /** the run's remaining wall time: no single call may outlive the run */
  timeoutMs: number;
}

/** A connection to the tool server for the duration of one run. */
export interface ToolSession {
  readonly tools: readonly ToolDefinition[];
  /** Never throws for tool failures (they are observations); throws only when aborted. */
  call(name: string, args: Record<string, unknown>, options: ToolCallOptions): Promise<ToolObservation>;
  close(): Promise<void>;
}

/** Opens tool sessions; the MCP implementation discovers tools with `tools/list`. */
export interface ToolGateway {
  connect(signal?: AbortSignal): Promise<ToolSession>;
  /** A cheap reachability probe for `/health/ready`. */
  ping(signal?: AbortSignal): Promise<void>;
  /** where the gateway is, for health output and logs */
  describe(): string;
}

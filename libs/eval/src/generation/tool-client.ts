/** A tool call's result: the structured output, or the error text the tool reported. */
export type ToolCallOutcome = { ok: true; structured: unknown; text: string } | { ok: false; error: string };

/**
 * The gateway as the harness needs it: call a tool by name. One MCP-client implementation lives in the
 * eval app; keeping the harness on this interface lets the client move to another SDK without touching it.
 */
export interface ToolClient {
  callTool(name: string, args: Record<string, unknown>, signal: AbortSignal): Promise<ToolCallOutcome>;
  close(): Promise<void>;
  /** where the gateway is, for the results' configuration block */
  describe(): string;
}

import type { ToolCallResult } from './mcp-protocol';
import type { ToolOutcome } from '../tools/tool.types';

/**
 * The one place tool outcomes become MCP results: `structuredContent` plus its JSON text copy, or an
 * `isError` result whose text names the error code and what to do (the model or person can act on it).
 */
export function toCallToolResult(outcome: ToolOutcome): ToolCallResult {
  if (outcome.ok) {
    return {
      content: [{ type: 'text', text: JSON.stringify(outcome.value, null, 2) }],
      structuredContent: outcome.value,
    };
  }
  const { code, message } = outcome.error;
  return { content: [{ type: 'text', text: `${code}: ${message}` }], isError: true };
}

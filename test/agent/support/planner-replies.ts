import type { EmulatorReply } from '@app/testing';

/** The task the pipeline suites give the agent. */
export const TASK = 'Write a function slugify(title) that turns an article title into a URL slug.';

/** A planner reply in the text action format: one JSON action. */
export function text(tool: string, args: Record<string, unknown>): EmulatorReply {
  return { text: JSON.stringify({ tool, arguments: args }) };
}

/** A planner reply with one native tool call (OpenAI `tool_calls`). */
export function native(tool: string, args: Record<string, unknown>, id: string): EmulatorReply {
  return {
    text: '',
    toolCalls: [{ id, name: tool, arguments: JSON.stringify(args) }],
    finishReason: 'tool_calls',
  };
}

/** Polls `condition` every 10 ms; throws after `timeoutMs`. */
export async function waitFor(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

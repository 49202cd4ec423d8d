import type { ChatMessage } from '@app/contracts';
import type { TrimmedStep } from '../core/context-trimmer';
import { cutAtStopSequence } from './planner-strategy';

function nativeTurns(trimmed: TrimmedStep, callId: string, tool: string): ChatMessage[] {
  const args = JSON.stringify(trimmed.arguments ?? {});
  return [
    { role: 'assistant', content: trimmed.text, toolCalls: [{ id: callId, name: tool, arguments: args }] },
    { role: 'tool', content: trimmed.feedback, toolCallId: callId, name: tool },
  ];
}

/** One step as chat turns: a native call and its `tool` message, or a text reply and a user observation. */
function stepTurns(trimmed: TrimmedStep): ChatMessage[] {
  const { step } = trimmed;
  const callId = step.action?.callId;
  if (callId && step.action && step.modelOutput.toolCalls.length > 0)
    return nativeTurns(trimmed, callId, step.action.tool);
  return [
    // A fake observation the model wrote itself (runtime without stop sequences) must not become history.
    { role: 'assistant', content: cutAtStopSequence(trimmed.text).trim() || '(empty reply)' },
    { role: 'user', content: trimmed.feedback },
  ];
}

/** The whole planner context: the opening turn (instructions + task) then every step so far. */
export function buildConversation(opening: ChatMessage, steps: readonly TrimmedStep[]): ChatMessage[] {
  return [opening, ...steps.flatMap(stepTurns)];
}

import type { ChatHistoryItem } from 'node-llama-cpp';
import type { ChatMessage } from '../inference.types';

/**
 * Maps chat messages onto node-llama-cpp's history so the model's own chat template renders them.
 * The embedded engine has no native tool calling: tool calls and results become plain text turns.
 * Consecutive turns of one speaker are merged because several chat templates reject them.
 */
export function toChatHistory(messages: readonly ChatMessage[]): ChatHistoryItem[] {
  const history: ChatHistoryItem[] = [];
  for (const message of messages) appendMessage(history, message);
  return history;
}

function appendMessage(history: ChatHistoryItem[], message: ChatMessage): void {
  const last = history.at(-1);
  if (message.role === 'assistant') {
    const text = assistantText(message);
    if (last?.type === 'model') last.response.push(`\n\n${text}`);
    else history.push({ type: 'model', response: [text] });
    return;
  }
  const text = message.role === 'tool' ? toolResultText(message) : message.content;
  if (message.role === 'system') {
    if (last?.type === 'system' && typeof last.text === 'string') last.text = `${last.text}\n\n${text}`;
    else history.push({ type: 'system', text });
    return;
  }
  if (last?.type === 'user') last.text = `${last.text}\n\n${text}`;
  else history.push({ type: 'user', text });
}

function assistantText(message: ChatMessage): string {
  const calls = (message.toolCalls ?? []).map((call) => `Calling tool ${call.name} with ${call.arguments}`);
  return [message.content, ...calls].filter((part) => part.length > 0).join('\n');
}

function toolResultText(message: ChatMessage): string {
  const tool = message.name ?? message.toolCallId ?? 'tool';
  return `Result of ${tool}:\n${message.content}`;
}

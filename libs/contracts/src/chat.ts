import type { JsonSchema } from './tools/tool-registry';

/** Message types shared by prompts (which build them) and inference (which sends them). */
export type ChatRole = 'system' | 'user' | 'assistant' | 'tool';

/** A tool call requested by a model (OpenAI `tool_calls`): `arguments` is the raw JSON text the model wrote. */
export interface ToolCall {
  id: string;
  name: string;
  arguments: string;
}

export interface ChatMessage {
  role: ChatRole;
  content: string;
  /** assistant turns that called tools */
  toolCalls?: ToolCall[];
  /** tool turns: which call this result answers */
  toolCallId?: string;
  /** tool turns: the tool's name */
  name?: string;
}

/** A tool offered to a model that supports native tool calling. */
export interface ToolDefinition {
  name: string;
  description: string;
  parameters: JsonSchema;
}

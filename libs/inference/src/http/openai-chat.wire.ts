import type { ChatMessage, GenerationRequest, ToolCall, ToolDefinition } from '../inference.types';
import {
  StreamAccumulator,
  finishReasonOf,
  nonEmpty,
  streamOptions,
  usageOf,
  type ParsedOutput,
  type WireAdapter,
} from './wire';
import { structuredFields, type StructuredDialect } from './structured-dialect';

interface WireToolCall {
  index?: number;
  id?: string;
  function?: { name?: string; arguments?: string };
}

interface ChatChoice {
  message?: { content?: string | null; tool_calls?: WireToolCall[] | null };
  delta?: { content?: string | null; tool_calls?: WireToolCall[] | null };
  finish_reason?: string | null;
}

interface ChatAnswer {
  model?: string;
  choices?: ChatChoice[];
  usage?: Parameters<typeof usageOf>[0];
}

function toWireMessage(message: ChatMessage): Record<string, unknown> {
  const toolCalls = message.toolCalls?.map((call) => ({
    id: call.id,
    type: 'function',
    function: { name: call.name, arguments: call.arguments },
  }));
  return {
    role: message.role,
    content: message.content,
    tool_calls: nonEmpty(toolCalls),
    tool_call_id: message.toolCallId,
    name: message.role === 'tool' ? message.name : undefined,
  };
}

function toWireTool(tool: ToolDefinition): Record<string, unknown> {
  return {
    type: 'function',
    function: { name: tool.name, description: tool.description, parameters: tool.parameters },
  };
}

function toolCallsOf(calls: WireToolCall[] | null | undefined): ToolCall[] {
  return (calls ?? []).map((call) => ({
    id: call.id ?? '',
    name: call.function?.name ?? '',
    arguments: call.function?.arguments ?? '',
  }));
}

/** OpenAI `POST /v1/chat/completions` (vLLM, TGI Messages API, llama.cpp server, Ollama `/v1`, SGLang). */
export const openAiChatWire: WireAdapter = {
  protocol: 'openai-chat',
  capabilities: { streaming: true, structuredOutput: true, nativeTools: true },

  body(
    request: GenerationRequest,
    model: string | undefined,
    stream: boolean,
    dialect: StructuredDialect,
  ): Record<string, unknown> {
    return {
      model,
      messages: request.messages.map(toWireMessage),
      max_tokens: request.maxTokens,
      temperature: request.temperature,
      stop: nonEmpty(request.stop),
      tools: nonEmpty(request.tools?.map(toWireTool)),
      ...structuredFields(dialect, request.jsonSchema),
      stream,
      stream_options: streamOptions(stream),
    };
  },

  parseComplete(json: unknown): ParsedOutput {
    const answer = (json ?? {}) as ChatAnswer;
    const choice = answer.choices?.[0];
    if (!choice?.message) throw new Error('the answer has no choices[0].message');
    const toolCalls = toolCallsOf(choice.message.tool_calls);
    const finishReason =
      finishReasonOf(choice.finish_reason) ?? (toolCalls.length > 0 ? 'tool_calls' : 'unknown');
    const text = choice.message.content ?? '';
    return { text, toolCalls, finishReason, usage: usageOf(answer.usage), model: answer.model };
  },

  parseChunk(json: unknown, acc: StreamAccumulator): string {
    const chunk = json as ChatAnswer;
    if (chunk.model) acc.model = chunk.model;
    if (chunk.usage) acc.usage = usageOf(chunk.usage);
    const choice = chunk.choices?.[0];
    if (!choice) return '';
    acc.finishReason = finishReasonOf(choice.finish_reason) ?? acc.finishReason;
    for (const call of choice.delta?.tool_calls ?? []) {
      acc.addToolCallDelta(call.index ?? 0, call.id, call.function?.name, call.function?.arguments);
    }
    return choice.delta?.content ?? '';
  },
};

import type { GenerationRequest } from '../inference.types';
import type { ParsedOutput, WireAdapter } from './wire';

interface LocalModelsAnswer {
  response?: unknown;
  response_tokens?: unknown;
  input_tokens?: unknown;
  total_tokens?: unknown;
}

/** The FastAPI `local_models` runtime: `POST /chat`, no streaming, no tools, no JSON Schema. */
export const localModelsWire: WireAdapter = {
  protocol: 'local-models',
  capabilities: { streaming: false, structuredOutput: false, nativeTools: false },

  body(request: GenerationRequest): Record<string, unknown> {
    const messages = request.messages.map((m) => ({
      role: m.role === 'tool' ? 'user' : m.role,
      content: m.content,
    }));
    return { messages, max_tokens: request.maxTokens ?? 500, temperature: request.temperature ?? 0.2 };
  },

  parseComplete(json: unknown): ParsedOutput {
    const answer = (json ?? {}) as LocalModelsAnswer;
    if (typeof answer.response !== 'string') throw new Error('the answer has no "response" string');
    return { text: answer.response, toolCalls: [], finishReason: 'stop', usage: localUsage(answer) };
  },

  parseChunk(): string {
    throw new Error('local-models does not stream');
  },
};

function localUsage(answer: LocalModelsAnswer): ParsedOutput['usage'] {
  const { input_tokens: prompt, response_tokens: completion, total_tokens: total } = answer;
  if (typeof prompt !== 'number' || typeof completion !== 'number') return undefined;
  return {
    promptTokens: prompt,
    completionTokens: completion,
    totalTokens: typeof total === 'number' ? total : prompt + completion,
  };
}

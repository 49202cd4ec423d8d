import type { GenerationRequest } from '../inference.types';
import type { ChatTemplate } from '@app/prompts';
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

interface CompletionAnswer {
  model?: string;
  choices?: Array<{ text?: string | null; finish_reason?: string | null }>;
  usage?: Parameters<typeof usageOf>[0];
}

/**
 * OpenAI `POST /v1/completions` with a raw prompt: for base models such as StarCoder2-7B that have no chat
 * template. The template's turn markers are added to the stop sequences.
 */
export function openAiCompletionsWire(template: ChatTemplate): WireAdapter {
  return {
    protocol: 'openai-completions',
    capabilities: { streaming: true, structuredOutput: true, nativeTools: false },

    body(
      request: GenerationRequest,
      model: string | undefined,
      stream: boolean,
      dialect: StructuredDialect,
    ): Record<string, unknown> {
      const rendered = template(request.messages);
      return {
        model,
        prompt: rendered.prompt,
        max_tokens: request.maxTokens,
        temperature: request.temperature,
        stop: nonEmpty([...(request.stop ?? []), ...rendered.stop]),
        ...structuredFields(dialect, request.jsonSchema),
        stream,
        stream_options: streamOptions(stream),
      };
    },

    parseComplete(json: unknown): ParsedOutput {
      const answer = (json ?? {}) as CompletionAnswer;
      const choice = answer.choices?.[0];
      if (typeof choice?.text !== 'string') throw new Error('the answer has no choices[0].text');
      const finishReason = finishReasonOf(choice.finish_reason) ?? 'unknown';
      return {
        text: choice.text,
        toolCalls: [],
        finishReason,
        usage: usageOf(answer.usage),
        model: answer.model,
      };
    },

    parseChunk(json: unknown, acc: StreamAccumulator): string {
      const chunk = json as CompletionAnswer;
      if (chunk.model) acc.model = chunk.model;
      if (chunk.usage) acc.usage = usageOf(chunk.usage);
      const choice = chunk.choices?.[0];
      if (!choice) return '';
      acc.finishReason = finishReasonOf(choice.finish_reason) ?? acc.finishReason;
      return choice.text ?? '';
    },
  };
}

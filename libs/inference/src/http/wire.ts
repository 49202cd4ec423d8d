import type {
  ClientCapabilities,
  FinishReason,
  GenerationRequest,
  TokenUsage,
  ToolCall,
} from '../inference.types';
import type { HttpProtocol } from './endpoint';
import type { StructuredDialect } from './structured-dialect';

/** What a complete answer (or a finished stream) carries, before timings and attempts are added. */
export interface ParsedOutput {
  text: string;
  toolCalls: ToolCall[];
  finishReason: FinishReason;
  usage?: TokenUsage;
  model?: string;
}

/** A protocol's request shape and answer parsing; the HTTP client does the rest. */
export interface WireAdapter {
  readonly protocol: HttpProtocol;
  readonly capabilities: ClientCapabilities;
  /** `dialect`: how a JSON Schema is sent (see structured-dialect.ts); ignored without `jsonSchema` */
  body(
    request: GenerationRequest,
    model: string | undefined,
    stream: boolean,
    dialect: StructuredDialect,
  ): Record<string, unknown>;
  /** a whole JSON answer; throws a plain Error naming what is missing */
  parseComplete(json: unknown): ParsedOutput;
  /** one SSE event's JSON; returns the text delta ('' when the event carries none) */
  parseChunk(json: unknown, acc: StreamAccumulator): string;
}

interface PendingToolCall {
  id: string;
  name: string;
  args: string[];
}

/** Collects a stream in arrays (never repeated string joins: that is O(n²) on long answers). */
export class StreamAccumulator {
  readonly parts: string[] = [];
  private readonly toolCalls = new Map<number, PendingToolCall>();
  finishReason: FinishReason | undefined;
  usage: TokenUsage | undefined;
  model: string | undefined;

  addToolCallDelta(
    index: number,
    id: string | undefined,
    name: string | undefined,
    args: string | undefined,
  ): void {
    let call = this.toolCalls.get(index);
    if (!call) {
      call = { id: id ?? '', name: name ?? '', args: [] };
      this.toolCalls.set(index, call);
    }
    if (id) call.id = id;
    if (name) call.name = name;
    if (args) call.args.push(args);
  }

  get hasToolCalls(): boolean {
    return this.toolCalls.size > 0;
  }

  finish(): ParsedOutput {
    const toolCalls = [...this.toolCalls.values()].map((c) => ({
      id: c.id,
      name: c.name,
      arguments: c.args.join(''),
    }));
    const fallback: FinishReason = toolCalls.length > 0 ? 'tool_calls' : 'unknown';
    return {
      text: this.parts.join(''),
      toolCalls,
      finishReason: this.finishReason ?? fallback,
      usage: this.usage,
      model: this.model,
    };
  }
}

export function finishReasonOf(value: unknown): FinishReason | undefined {
  if (value === null || value === undefined) return undefined;
  if (value === 'stop' || value === 'eos_token' || value === 'stop_sequence') return 'stop';
  if (value === 'length') return 'length';
  if (value === 'tool_calls' || value === 'function_call') return 'tool_calls';
  return 'unknown';
}

interface OpenAiUsage {
  prompt_tokens?: number;
  completion_tokens?: number;
  total_tokens?: number;
}

export function usageOf(usage: OpenAiUsage | null | undefined): TokenUsage | undefined {
  if (!usage || typeof usage.prompt_tokens !== 'number' || typeof usage.completion_tokens !== 'number')
    return undefined;
  const totalTokens = usage.total_tokens ?? usage.prompt_tokens + usage.completion_tokens;
  return { promptTokens: usage.prompt_tokens, completionTokens: usage.completion_tokens, totalTokens };
}

export function streamOptions(stream: boolean): unknown {
  // without include_usage servers send no usage in streams
  return stream ? { include_usage: true } : undefined;
}

export function nonEmpty<T>(items: T[] | undefined): T[] | undefined {
  return items && items.length > 0 ? items : undefined;
}

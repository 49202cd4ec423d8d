import type { ChatMessage, JsonSchema, ToolDefinition } from '@app/contracts';
import type { ClientCapabilities, GenerationRequest, GenerationResult } from '@app/inference';
import { buildPlannerOpening, FINAL_ANSWER_TOOL, PLANNER_STOP_SEQUENCES } from '@app/prompts';
import type { PlannerDecision, PlannerMode } from '../core/agent.types';
import { parseNativeCall, parseTextAction } from './action-parser';

/** How one planner mode asks for an action and reads the answer. */
export interface PlannerStrategy {
  readonly mode: PlannerMode;
  opening(task: string, language: string | undefined): ChatMessage;
  /** what this mode adds to every planner request */
  requestOptions(): Pick<GenerationRequest, 'tools' | 'stop' | 'jsonSchema'>;
  interpret(result: GenerationResult): PlannerDecision;
}

/** OpenAI `tools` / `tool_calls`: the server's tool parser does the formatting; a plain answer means done. */
export class NativePlannerStrategy implements PlannerStrategy {
  readonly mode = 'native';

  constructor(private readonly tools: readonly ToolDefinition[]) {}

  opening(task: string, language: string | undefined): ChatMessage {
    return buildPlannerOpening({ task, language, tools: this.tools, textFormat: false });
  }

  requestOptions(): Pick<GenerationRequest, 'tools' | 'stop'> {
    return { tools: [...this.tools] };
  }

  interpret(result: GenerationResult): PlannerDecision {
    const call = result.toolCalls[0];
    if (call) return parseNativeCall(call);
    const text = result.text.trim();
    // Some servers miss a tool call the model wrote as text; honour it rather than end the run.
    const fromText = parseTextAction(text);
    if (fromText.kind !== 'invalid') return fromText;
    if (text) return { kind: 'final', answer: text };
    return { kind: 'invalid', problem: 'the reply had neither a tool call nor an answer' };
  }
}

/** The agent's own JSON action format for `local-models` and models without tool tokens. */
export class TextPlannerStrategy implements PlannerStrategy {
  readonly mode = 'text';

  /**
   * @param constrained the backend can enforce a JSON Schema (llama.cpp grammars): then every reply is
   *   forced into the action shape, the cheapest cure for format failures of small models.
   */
  constructor(
    private readonly tools: readonly ToolDefinition[],
    private readonly constrained = false,
  ) {}

  opening(task: string, language: string | undefined): ChatMessage {
    return buildPlannerOpening({ task, language, tools: this.tools, textFormat: true });
  }

  requestOptions(): Pick<GenerationRequest, 'tools' | 'stop' | 'jsonSchema'> {
    const stop = [...PLANNER_STOP_SEQUENCES];
    return this.constrained
      ? { stop, jsonSchema: { name: 'planner_action', schema: this.actionSchema() } }
      : { stop };
  }

  private actionSchema(): JsonSchema {
    return {
      type: 'object',
      properties: {
        tool: { type: 'string', enum: [...this.tools.map((t) => t.name), FINAL_ANSWER_TOOL] },
        // Open keys with scalar values: enough for every call once big values travel as "$last_spec" /
        // "$last_code", and a grammar for it always exists (the schema check against the tool comes after).
        arguments: { type: 'object', additionalProperties: {} },
      },
      required: ['tool', 'arguments'],
    };
  }

  interpret(result: GenerationResult): PlannerDecision {
    const call = result.toolCalls[0];
    return call ? parseNativeCall(call) : parseTextAction(cutAtStopSequence(result.text));
  }
}

/** Runtimes without stop-sequence support (local-models) let the model write a fake observation: drop it. */
export function cutAtStopSequence(text: string): string {
  const cuts = PLANNER_STOP_SEQUENCES.map((stop) => text.indexOf(stop)).filter((i) => i >= 0);
  return cuts.length > 0 ? text.slice(0, Math.min(...cuts)) : text;
}

export function createPlannerStrategy(
  capabilities: ClientCapabilities,
  tools: readonly ToolDefinition[],
): PlannerStrategy {
  if (capabilities.nativeTools) return new NativePlannerStrategy(tools);
  return new TextPlannerStrategy(tools, capabilities.structuredOutput);
}

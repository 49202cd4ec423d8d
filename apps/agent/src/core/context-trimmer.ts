import type { StepRecord } from './agent.types';

export interface TrimmedStep {
  step: StepRecord;
  /** feedback as the planner sees it: verbatim for recent steps, shortened for older ones */
  feedback: string;
  /** tool-call arguments with long strings shortened (older steps only) */
  arguments?: Record<string, unknown>;
  text: string;
}

const OLD_FEEDBACK_CHARS = 400;
const OLD_STRING_CHARS = 160;

export function truncate(text: string, limit: number): string {
  if (text.length <= limit) return text;
  return `${text.slice(0, limit)}… [${text.length - limit} more characters omitted]`;
}

function shortenStrings(value: unknown, limit: number): unknown {
  if (typeof value === 'string') return truncate(value, limit);
  if (Array.isArray(value)) return value.map((v) => shortenStrings(v, limit));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shortenStrings(v, limit)]));
  }
  return value;
}

/**
 * Tokens of text as a planner tokenizer counts them, estimated from its length. Code and JSON tokenise at
 * roughly 3–4 characters per token in the Llama/Mistral/Qwen vocabularies; 3 errs on the safe side, so
 * what is kept fits even when the real count is higher than the usual 4-characters rule says.
 */
export function estimatePlannerTokens(text: string): number {
  return Math.ceil(text.length / 3);
}

/** Chat-template framing per turn (role markers, separators). */
const TURN_OVERHEAD_TOKENS = 8;

function costOf(trimmed: TrimmedStep): number {
  const args = trimmed.arguments === undefined ? '' : JSON.stringify(trimmed.arguments);
  return estimatePlannerTokens(trimmed.text + trimmed.feedback + args) + 2 * TURN_OVERHEAD_TOKENS;
}

/**
 * Keeps the planner's context within the model's window, measured in (estimated) tokens, not steps:
 * walking back from the newest step, each step goes in verbatim while it fits (the `keepRecent` newest
 * only), else shortened (older observations and arguments cut to a few hundred characters: the sequence
 * of what was tried survives, the bulk — old code, old reviews — goes), else the rest is left out and the
 * first kept step says how many were omitted. The newest step is always kept, at least shortened.
 */
export class ContextTrimmer {
  constructor(private readonly keepRecent: number) {}

  /** `availableTokens`: the window minus the opening turn and the planner's answer budget. */
  trim(steps: readonly StepRecord[], availableTokens = Number.POSITIVE_INFINITY): TrimmedStep[] {
    const kept: TrimmedStep[] = [];
    let used = 0;
    for (let i = steps.length - 1; i >= 0; i--) {
      const step = steps[i]!;
      const recent = i >= steps.length - this.keepRecent;
      const choices = recent ? [this.verbatim(step), this.shortened(step)] : [this.shortened(step)];
      const fitting = choices.find((choice) => used + costOf(choice) <= availableTokens);
      const chosen = fitting ?? (kept.length === 0 ? this.shortened(step) : undefined);
      if (chosen === undefined) break;
      kept.unshift(chosen);
      used += costOf(chosen);
    }
    return withOmissionNote(kept, steps.length - kept.length);
  }
  private verbatim(step: StepRecord): TrimmedStep {
    return { step, feedback: step.feedback, arguments: step.action?.arguments, text: step.modelOutput.text };
  }

  private shortened(step: StepRecord): TrimmedStep {
    const args = step.action
      ? (shortenStrings(step.action.arguments, OLD_STRING_CHARS) as Record<string, unknown>)
      : undefined;
    return {
      step,
      feedback: truncate(step.feedback, OLD_FEEDBACK_CHARS),
      arguments: args,
      // A parsed action is re-rendered canonically: cutting raw JSON mid-way would teach the model broken JSON.
      text: step.action
        ? JSON.stringify({ tool: step.action.tool, arguments: args })
        : truncate(step.modelOutput.text, OLD_FEEDBACK_CHARS),
    };
  }
}

function withOmissionNote(kept: TrimmedStep[], omitted: number): TrimmedStep[] {
  const first = kept[0];
  if (omitted === 0 || first === undefined) return kept;
  const note = `[${omitted} earlier step(s) left out to fit the planner's context window]\n`;
  return [{ ...first, feedback: `${note}${first.feedback}` }, ...kept.slice(1)];
}

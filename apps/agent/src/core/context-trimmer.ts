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
 * Keeps the planner's context bounded on long runs: the task (built elsewhere) and the last `keepRecent`
 * steps verbatim; older observations and arguments are cut to a few hundred characters, which keeps
 * the sequence of what was tried while dropping the bulk (old code, old reviews).
 */
export class ContextTrimmer {
  constructor(private readonly keepRecent: number) {}

  trim(steps: readonly StepRecord[]): TrimmedStep[] {
    const firstVerbatim = Math.max(0, steps.length - this.keepRecent);
    return steps.map((step, i) => (i >= firstVerbatim ? this.verbatim(step) : this.shortened(step)));
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

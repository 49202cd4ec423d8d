import type { GeneratedCode, RunView, StepRecord } from '../core/agent.types';
import type { RunActivity } from '../runs/run-record';

export type Write = (text: string) => void;

const RAW_CHARS = 400;

function indent(text: string, prefix = '      '): string {
  return text
    .split('\n')
    .map((line) => `${prefix}${line}`)
    .join('\n');
}

function clipped(text: string, limit: number): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length <= limit ? oneLine : `${oneLine.slice(0, limit)}…`;
}

function textOf(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value ?? '');
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}

function count(value: unknown): number {
  return Array.isArray(value) ? value.length : 0;
}

/** One readable line per tool result, instead of a wall of JSON. */
export function summarizeObservation(tool: string, observation: unknown): string {
  const o = record(observation);
  if (tool === 'formalize_task' && typeof o.title === 'string') {
    return `spec "${o.title}": ${count(o.requirements)} requirements, ${count(o.acceptance_criteria)} acceptance criteria`;
  }
  if (tool === 'generate_code' && typeof o.code === 'string') {
    return `${String(o.language)} code, ${o.code.split('\n').length} lines${typeof o.explanation === 'string' ? ` — ${clipped(o.explanation, 120)}` : ''}`;
  }
  if (tool === 'review_code' && typeof o.verdict === 'string') {
    const corrected = typeof o.corrected_code === 'string' ? ', with a corrected version' : '';
    return `${o.verdict}, score ${String(o.score)}/10, ${count(o.issues)} issue(s)${corrected} — ${clipped(String(o.summary), 120)}`;
  }
  return clipped(typeof observation === 'string' ? observation : JSON.stringify(observation), 200);
}

function describeIssues(observation: unknown): string[] {
  const issues = record(observation).issues;
  if (!Array.isArray(issues)) return [];
  return issues.map((issue) => {
    const i = record(issue);
    const line = typeof i.line === 'number' ? ` line ${i.line}` : '';
    return `      - [${String(i.severity)}${line}] ${String(i.message)}`;
  });
}

function rawOutput(modelOutput: StepRecord['modelOutput']): string {
  const raw = modelOutput.toolCalls.length > 0 ? JSON.stringify(modelOutput.toolCalls) : modelOutput.text;
  return clipped(raw, RAW_CHARS) || '(empty)';
}

function actionLine(action: StepRecord['action']): string {
  return action ? `  action: ${action.tool} ${clipped(JSON.stringify(action.arguments), 160)}\n` : '';
}

/**
 * Prints a run as it happens: "asking the planner", its raw output and parsed action as soon as it
 * answers, the tool call while it runs, then the result with timings and tokens.
 */
export class TranscriptPrinter {
  /** steps whose planner output was already printed when the tool call started */
  private readonly announced = new Set<number>();

  constructor(private readonly write: Write) {}

  header(title: string, task: string): void {
    this.announced.clear();
    this.write(`\n━━━ ${title} ━━━\nTask: ${task}\n`);
  }

  activity(activity: RunActivity): void {
    if (activity.phase === 'tokens') return; // the transcript shows whole answers
    if (activity.phase === 'planning') {
      this.write(`\n[step ${activity.index}] asking the planner…\n`);
      return;
    }
    // The tool call is starting: show what the planner said now, so a slow model call shows what it waits for.
    this.announced.add(activity.index);
    this.write(`  planner (${activity.modelMs} ms): ${rawOutput(activity.modelOutput)}\n`);
    this.write(`${actionLine(activity.action)}  → calling ${activity.action.tool}…\n`);
  }

  step(step: StepRecord): void {
    const { modelMs, toolMs } = step.timings;
    if (!this.announced.has(step.index)) {
      this.write(`  planner (${modelMs} ms): ${rawOutput(step.modelOutput)}\n`);
      this.write(actionLine(step.kind === 'final_answer' ? undefined : step.action));
    }
    this.write(this.outcomeLines(step, toolMs));
    const { prompt, completion, total, estimated } = step.tokens;
    const approx = estimated ? ' (estimated)' : '';
    this.write(
      `  tokens: ${total} = ${prompt} prompt + ${completion} completion${approx}; step ${step.timings.totalMs} ms\n`,
    );
  }

  end(view: RunView): void {
    const seconds = ((view.durationMs ?? 0) / 1000).toFixed(1);
    const result = view.result;
    const modes = { native: 'native tool calls', text: 'text action format' };
    const mode = view.plannerMode ? `, ${modes[view.plannerMode]}` : '';
    const totals = `${view.steps.length} steps, ${seconds} s, ${view.usage.totalTokens} planner tokens${mode}`;
    this.write(`\n■ ${view.status.toUpperCase()} (${result?.outcome ?? 'no result'}) after ${totals}\n`);
    if (result?.answer && result.outcome !== 'final_answer') this.write(`  ${result.answer}\n`);
    if (result?.code) this.write(this.codeBlock(result.code));
    if (result?.review)
      this.write(`  final review: ${result.review.verdict}, score ${result.review.score}/10\n`);
  }

  private outcomeLines(step: StepRecord, toolMs: number): string {
    const tool = step.action?.tool ?? '';
    if (step.kind === 'final_answer') return `  final answer: ${textOf(step.action?.arguments.answer)}\n`;
    if (step.kind === 'invalid_action')
      return `  ✗ rejected, error sent back to the planner: ${step.error ?? ''}\n`;
    if (step.kind === 'tool_error') return `  ✗ ${tool} failed (${toolMs} ms): ${step.error ?? ''}\n`;
    const issues = tool === 'review_code' ? describeIssues(step.observation) : [];
    return [
      `  ✓ ${tool} (${toolMs} ms): ${summarizeObservation(tool, step.observation)}`,
      ...issues,
      '',
    ].join('\n');
  }

  private codeBlock(code: GeneratedCode): string {
    return `  code (${code.language}, from ${code.source} at step ${code.step}):\n${indent(code.code.trimEnd())}\n`;
  }
}

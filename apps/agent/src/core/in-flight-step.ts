import type { PlannedAction, StepRecord } from './agent.types';

/**
 * What the step in progress has done so far. When the run is cancelled (or runs out of time) mid-step,
 * this becomes a `cancelled` step: the planner's answer (or the part of it streamed so far) and the tool
 * call that was running are kept in the record instead of vanishing with the abort.
 */
export class InFlightStep {
  private readonly startedAt = new Date();
  private readonly modelStart = performance.now();
  private streamed = '';
  private answer?: { output: StepRecord['modelOutput']; modelMs: number };
  private action?: PlannedAction;
  private toolStart?: number;

  constructor(readonly index: number) {}

  token(delta: string): void {
    this.streamed += delta;
  }

  answered(output: StepRecord['modelOutput'], modelMs: number): void {
    this.answer = { output, modelMs };
  }

  calling(action: PlannedAction): void {
    this.action = action;
    this.toolStart = performance.now();
  }

  toCancelledStep(reason: string): StepRecord {
    const now = performance.now();
    const modelMs = Math.round(this.answer?.modelMs ?? now - this.modelStart);
    const toolMs = this.toolStart === undefined ? 0 : Math.round(now - this.toolStart);
    const during = this.action ? `the ${this.action.tool} call` : 'the planner call';
    const completion = Math.ceil((this.answer?.output.text ?? this.streamed).length / 4);
    return {
      index: this.index,
      kind: 'cancelled',
      startedAt: this.startedAt.toISOString(),
      modelOutput: this.answer?.output ?? { text: this.streamed, toolCalls: [] },
      action: this.action,
      error: `${reason} during ${during}`,
      feedback: '',
      timings: { modelMs, toolMs, totalMs: Date.now() - this.startedAt.getTime() },
      tokens: { prompt: 0, completion, total: completion, estimated: true },
    };
  }
}

import type { RunOutcome, StepTokens } from './agent.types';

export interface BudgetLimits {
  maxSteps: number;
  maxTokens: number;
  maxWallTimeMs: number;
}

export type Clock = () => number;

/** Steps, planner tokens and wall time of one run; `exhausted()` names the first limit reached. */
export class RunBudget {
  private steps = 0;
  private tokens = 0;
  private readonly startedAt: number;
  private readonly deadline: AbortController = new AbortController();
  private readonly timer: NodeJS.Timeout;

  constructor(
    readonly limits: BudgetLimits,
    private readonly clock: Clock = Date.now,
  ) {
    this.startedAt = clock();
    // The deadline also aborts a model or tool call that is still in flight when time runs out.
    this.timer = setTimeout(
      () => this.deadline.abort(new Error('wall-time budget exhausted')),
      limits.maxWallTimeMs,
    );
    this.timer.unref();
  }

  get deadlineSignal(): AbortSignal {
    return this.deadline.signal;
  }

  get usedTokens(): number {
    return this.tokens;
  }

  elapsedMs(): number {
    return this.clock() - this.startedAt;
  }

  remainingMs(): number {
    return Math.max(0, this.limits.maxWallTimeMs - this.elapsedMs());
  }

  recordStep(tokens: StepTokens): void {
    this.steps += 1;
    this.tokens += tokens.total;
  }

  exhausted(): RunOutcome | undefined {
    if (this.deadline.signal.aborted || this.remainingMs() <= 0) return 'max_wall_time';
    if (this.tokens >= this.limits.maxTokens) return 'max_tokens';
    if (this.steps >= this.limits.maxSteps) return 'max_steps';
    return undefined;
  }

  dispose(): void {
    clearTimeout(this.timer);
  }
}

import { randomUUID } from 'node:crypto';
import type {
  PlannedAction,
  PlannerMode,
  RunRequest,
  RunResult,
  RunStatus,
  RunUsage,
  RunView,
  StepRecord,
} from '../core/agent.types';

/** Progress inside a step, for live displays (the demo); not part of the SSE contract (one event per step). */
export type RunActivity =
  | { phase: 'planning'; index: number }
  /** planner text as it streams (where the backend streams) */
  | { phase: 'tokens'; index: number; text: string }
  | {
      phase: 'calling';
      index: number;
      action: PlannedAction;
      modelOutput: StepRecord['modelOutput'];
      modelMs: number;
    };

export type RunEvent =
  | { type: 'step'; step: StepRecord }
  | { type: 'end'; run: RunView }
  | { type: 'activity'; activity: RunActivity }
  /** the process stopped the run to exit: its completed steps are kept, it is resumed later */
  | { type: 'interrupted' };

/** What a run resumed from the store starts from. */
export interface RestoredRun {
  id: string;
  createdAt: Date;
  steps: readonly StepRecord[];
}
export type RunListener = (event: RunEvent) => void;

/**
 * The live state of one run: steps as they happen, the terminal status, listeners (SSE) and the
 * abort controller that `DELETE /v1/runs/{id}` fires.
 */
export class RunRecord {
  readonly id: string;
  readonly createdAt: Date;
  private status: RunStatus = 'running';
  private readonly steps: StepRecord[] = [];
  private readonly usage: RunUsage = { promptTokens: 0, completionTokens: 0, totalTokens: 0 };
  private readonly listeners = new Set<RunListener>();
  private readonly controller = new AbortController();
  private finishedAt?: Date;
  private result?: RunResult;
  private error?: { code: string; message: string };
  private mode?: PlannerMode;
  private toolNames: string[] = [];
  private interruption?: Error;
  private resolveDone!: () => void;
  /** settles when the run reaches a terminal status (or is interrupted) */
  readonly done: Promise<void> = new Promise((resolve) => (this.resolveDone = resolve));

  constructor(
    readonly request: RunRequest,
    restored?: RestoredRun,
  ) {
    this.id = restored?.id ?? randomUUID();
    this.createdAt = restored?.createdAt ?? new Date();
    for (const step of restored?.steps ?? []) this.count(step);
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get finished(): boolean {
    return this.status !== 'running' && this.status !== 'queued';
  }

  get interrupted(): boolean {
    return this.interruption !== undefined;
  }

  get currentStatus(): RunStatus {
    return this.status;
  }

  get recordedSteps(): readonly StepRecord[] {
    return this.steps;
  }

  describeSetup(mode: PlannerMode, tools: readonly string[]): void {
    this.mode = mode;
    this.toolNames = [...tools];
  }

  addStep(step: StepRecord): void {
    this.count(step);
    this.emit({ type: 'step', step });
  }

  reportActivity(activity: RunActivity): void {
    this.emit({ type: 'activity', activity });
  }

  finish(
    status: Exclude<RunStatus, 'running'>,
    result?: RunResult,
    error?: { code: string; message: string },
  ): void {
    if (this.finished) return;
    if (this.interruption) return this.settle({ type: 'interrupted' });
    this.status = status;
    this.result = result;
    this.error = error;
    this.finishedAt = new Date();
    this.settle({ type: 'end', run: this.view() });
  }

  /** Aborts in-flight planner and tool calls; the loop then finishes the run as `cancelled`. */
  cancel(): void {
    if (!this.finished) this.controller.abort(new Error('run cancelled'));
  }

  /** Aborts like a cancel, but the run is not ended: the process is stopping and the run will be resumed. */
  interrupt(reason: Error): void {
    if (this.finished) return;
    this.interruption = reason;
    this.controller.abort(reason);
  }

  subscribe(listener: RunListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  view(): RunView {
    const durationMs = this.finishedAt ? this.finishedAt.getTime() - this.createdAt.getTime() : undefined;
    return {
      id: this.id,
      status: this.status,
      task: this.request.task,
      language: this.request.language,
      plannerMode: this.mode,
      tools: this.toolNames,
      createdAt: this.createdAt.toISOString(),
      finishedAt: this.finishedAt?.toISOString(),
      durationMs,
      usage: { ...this.usage },
      steps: [...this.steps],
      result: this.result,
      error: this.error,
    };
  }

  private count(step: StepRecord): void {
    this.steps.push(step);
    this.usage.promptTokens += step.tokens.prompt;
    this.usage.completionTokens += step.tokens.completion;
    this.usage.totalTokens += step.tokens.total;
  }

  private settle(event: RunEvent): void {
    this.emit(event);
    this.listeners.clear();
    this.resolveDone();
  }

  private emit(event: RunEvent): void {
    for (const listener of [...this.listeners]) listener(event);
  }
}

import { Logger } from '@nestjs/common';
import { describeError } from '../core/agent.errors';
import type { StepRecord } from '../core/agent.types';
import type { RunEventBus } from './events/run-event-bus';
import type { RunEvent, RunRecord } from './run-record';
import { toRunSummary, type RunDocument } from './store/run-document';
import type { RunRepository, WriteGuard } from './store/run-repository';

const TOKEN_BATCH_MS = 100;

/**
 * Writes what an executing run does to the store, then publishes it on the bus, in order: a step is stored
 * before any SSE client hears of it, so a reconnect with Last-Event-ID never misses one. Every write is
 * fenced by the worker's `attempts`: when the store refuses one, this worker no longer holds the run (it
 * was cancelled, failed, or given to another worker) and `onLost` stops it.
 */
export class RunJournal {
  private readonly logger = new Logger(RunJournal.name);
  private chain: Promise<void> = Promise.resolve();
  private readonly guard: WriteGuard;
  private tokens?: { index: number; text: string; timer: NodeJS.Timeout };

  constructor(
    private readonly repository: RunRepository,
    private readonly bus: RunEventBus,
    private readonly doc: RunDocument,
    private readonly onLost: () => void,
  ) {
    this.guard = { status: ['running'], attempts: doc.attempts };
  }

  attach(record: RunRecord): () => void {
    return record.subscribe((event) => {
      if (event.type === 'activity' && event.activity.phase === 'tokens')
        return this.bufferTokens(event.activity);
      this.flushTokens();
      this.enqueue(() => this.write(record, event));
    });
  }

  private enqueue(task: () => Promise<void>): void {
    this.chain = this.chain
      .then(task)
      .catch((error: unknown) => this.logger.error(`run ${this.doc.id}: ${describeError(error)}`));
  }

  /** Planner tokens are published in batches (every TOKEN_BATCH_MS), not one bus message per token. */
  private bufferTokens(activity: { index: number; text: string }): void {
    if (this.tokens?.index === activity.index) {
      this.tokens.text += activity.text;
      return;
    }
    this.flushTokens();
    const timer = setTimeout(() => this.flushTokens(), TOKEN_BATCH_MS);
    this.tokens = { index: activity.index, text: activity.text, timer };
  }

  private flushTokens(): void {
    const batch = this.tokens;
    if (!batch) return;
    clearTimeout(batch.timer);
    this.tokens = undefined;
    const progress = { phase: 'tokens' as const, index: batch.index, text: batch.text };
    this.enqueue(() => this.bus.publish(this.doc.id, { type: 'progress', progress }));
  }

  /** settles once everything the run reported so far is written and published */
  flushed(): Promise<void> {
    this.flushTokens();
    return this.chain;
  }

  private async write(record: RunRecord, event: RunEvent): Promise<void> {
    if (event.type === 'activity')
      return this.bus.publish(this.doc.id, { type: 'progress', progress: event.activity });
    if (event.type === 'step') return this.writeStep(record, event.step);
    if (event.type === 'interrupted') return this.checkpoint();
    return this.writeEnd(record);
  }

  private async writeStep(record: RunRecord, step: StepRecord): Promise<void> {
    const view = record.view();
    Object.assign(this.doc, {
      plannerMode: view.plannerMode,
      tools: view.tools,
      usage: view.usage,
      stepCount: view.steps.length,
    });
    if (!(await this.repository.appendStep(this.doc, step, this.guard))) return this.lost();
    await this.bus.publish(this.doc.id, { type: 'step', step });
  }

  private async writeEnd(record: RunRecord): Promise<void> {
    const view = record.view();
    Object.assign(this.doc, {
      status: view.status,
      result: view.result,
      error: view.error,
      usage: view.usage,
      finishedAt: view.finishedAt,
      plannerMode: view.plannerMode,
      tools: view.tools,
    });
    if (!(await this.repository.update(this.doc, this.guard))) return this.lost();
    await this.bus.publish(this.doc.id, { type: 'end', run: toRunSummary(this.doc) });
  }

  /** The process is stopping: back to `queued` with its completed steps, to be resumed. */
  private async checkpoint(): Promise<void> {
    this.doc.status = 'queued';
    if (await this.repository.update(this.doc, this.guard))
      this.logger.log(`run ${this.doc.id} checkpointed after step ${this.doc.stepCount}`);
  }

  private lost(): void {
    this.logger.warn(
      `run ${this.doc.id}: no longer held by this worker (attempt ${this.doc.attempts}); stopping it`,
    );
    this.onLost();
  }
}

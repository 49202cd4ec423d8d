import { Logger } from '@nestjs/common';
import { describeError } from '../../core/agent.errors';
import { settleWithin, type RunProcessor, type RunQueue } from './run-queue';

/** After the grace period, checkpointing an aborted run takes at most this long. */
const CHECKPOINT_MS = 5_000;

/**
 * In-process FIFO for one machine. The queue itself is not the durable part: every queued run is a
 * `queued` row in SQLite, and the recovery at start enqueues those again.
 */
export class LocalRunQueue implements RunQueue {
  readonly kind = 'local';
  private readonly logger = new Logger(LocalRunQueue.name);
  private readonly waiting: string[] = [];
  private readonly active = new Set<Promise<void>>();
  private readonly shutdown = new AbortController();
  private processor?: RunProcessor;
  private concurrency = 1;
  private stopped = false;

  constructor(private readonly maxQueued: number) {}

  isAvailable(): boolean {
    return !this.stopped;
  }

  hasRoom(): boolean {
    return this.waiting.length < this.maxQueued;
  }

  async enqueue(runId: string): Promise<void> {
    this.waiting.push(runId);
    this.drain();
  }

  async startWorker(processor: RunProcessor, concurrency: number): Promise<void> {
    this.processor = processor;
    this.concurrency = concurrency;
    this.drain();
  }

  async stop(graceMs: number): Promise<void> {
    this.stopped = true;
    const inFlight = Promise.all(this.active);
    await settleWithin(inFlight, graceMs);
    if (this.active.size === 0) return;
    this.logger.warn(`${this.active.size} run(s) still running after the grace period: checkpointing them`);
    this.shutdown.abort(new Error('the agent is shutting down'));
    await settleWithin(inFlight, CHECKPOINT_MS);
  }

  private drain(): void {
    while (!this.stopped && this.processor && this.active.size < this.concurrency) {
      const runId = this.waiting.shift();
      if (runId === undefined) return;
      this.launch(this.processor, runId);
    }
  }

  /** An interrupted run stays `queued` in SQLite: the next start's recovery enqueues it again. */
  private launch(processor: RunProcessor, runId: string): void {
    const task = processor(runId, this.shutdown.signal)
      .then(() => undefined)
      .catch((error: unknown) => this.logger.error(`run ${runId} failed to execute: ${describeError(error)}`))
      .finally(() => {
        this.active.delete(task);
        this.drain();
      });
    this.active.add(task);
  }
}

/**
 * Executes one run; `shutdown` aborts when the process stops: the processor then checkpoints the run (its
 * completed steps are stored) so that it is resumed later, here or on another replica.
 */
export type RunProcessor = (runId: string, shutdown: AbortSignal) => Promise<RunProcessOutcome>;
/** `interrupted`: checkpointed, not finished — the queue must deliver the run again */
export type RunProcessOutcome = 'done' | 'interrupted';

/**
 * The seam between accepting a run and executing it. Local: an in-process FIFO (one machine, SQLite).
 * BullMQ: a Redis queue any replica's worker takes from.
 */
export interface RunQueue {
  readonly kind: 'local' | 'bullmq';
  /** false while the queue cannot accept work that would be kept (Redis unreachable) */
  isAvailable(): boolean;
  /** false when a bounded queue is full */
  hasRoom(): boolean;
  enqueue(runId: string): Promise<void>;
  startWorker(processor: RunProcessor, concurrency: number): Promise<void>;
  /** stops taking work; in-flight runs get `graceMs` to finish, then are checkpointed */
  stop(graceMs: number): Promise<void>;
}

/** Resolves when `promise` settles or after `ms`, whichever comes first. */
export async function settleWithin(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  await Promise.race([
    promise.then(
      () => undefined,
      () => undefined,
    ),
    timeout,
  ]);
  clearTimeout(timer);
}

import { Logger } from '@nestjs/common';
import { Queue, QueueEvents, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { describeError } from '../../core/agent.errors';
import { settleWithin, type RunProcessor, type RunQueue } from '../queue/run-queue';
import { MAX_CRASH_RESUMES } from '../run-executor';

export const QUEUE_NAME = 'agent-runs';
/** Deliveries of one run: a checkpoint at shutdown or a crash of the worker's process each use one. */
const JOB_ATTEMPTS = 5;
const CHECKPOINT_MS = 5_000;

/** What a worker does when the queue itself gives up on a job (attempts or stalls exhausted). */
export type JobFailedHandler = (runId: string, reason: string) => Promise<void>;

/**
 * Runs queued on Redis with BullMQ (job id = run id, so a run is queued at most once). Stalled jobs —
 * their worker died and stopped renewing the lock — are moved back to waiting by BullMQ and executed by
 * another worker (resumed from their stored steps); after too many, BullMQ fails them and every replica's
 * QueueEvents hears it, so the run record is failed too, never left `running`.
 */
export class BullRunQueue implements RunQueue {
  readonly kind = 'bullmq';
  private readonly logger = new Logger(BullRunQueue.name);
  private readonly queue: Queue;
  private readonly events: QueueEvents;
  /** QueueEvents blocks on its own connection; BullMQ never closes a connection it was given, so we do */
  private readonly eventsConnection: Redis;
  private readonly shutdown = new AbortController();
  private worker?: Worker;

  constructor(
    private readonly producer: Redis,
    private readonly workerConnection: Redis,
    private readonly lockMs: number,
    onJobFailed: JobFailedHandler,
  ) {
    this.queue = new Queue(QUEUE_NAME, {
      connection: producer,
      defaultJobOptions: {
        attempts: JOB_ATTEMPTS,
        backoff: { type: 'fixed', delay: 500 },
        removeOnComplete: true,
        removeOnFail: 1_000,
      },
    });
    this.queue.on('error', (error) => this.logger.warn(`queue: ${describeError(error)}`));
    this.eventsConnection = workerConnection.duplicate();
    this.events = new QueueEvents(QUEUE_NAME, { connection: this.eventsConnection });
    this.events.on('error', (error) => this.logger.warn(`queue events: ${describeError(error)}`));
    this.events.on('failed', ({ jobId, failedReason }) => void onJobFailed(jobId, failedReason));
  }

  isAvailable(): boolean {
    return this.producer.status === 'ready';
  }

  hasRoom(): boolean {
    return true;
  }

  async enqueue(runId: string): Promise<void> {
    await this.queue.add('run', { runId }, { jobId: runId });
  }

  async startWorker(processor: RunProcessor, concurrency: number): Promise<void> {
    this.worker = new Worker<{ runId: string }>(
      QUEUE_NAME,
      async (job) => {
        const outcome = await processor(job.data.runId, this.shutdown.signal);
        // Thrown so that BullMQ delivers the job again (to any replica): the run resumes from its steps.
        if (outcome === 'interrupted') throw new Error('checkpointed at shutdown; to be resumed');
      },
      {
        connection: this.workerConnection,
        concurrency,
        lockDuration: this.lockMs,
        stalledInterval: this.lockMs,
        maxStalledCount: MAX_CRASH_RESUMES,
      },
    );
    this.worker.on('error', (error) => this.logger.warn(`worker: ${describeError(error)}`));
  }

  /** Stop fetching, give active runs the grace period, then checkpoint them and let BullMQ requeue them. */
  async stop(graceMs: number): Promise<void> {
    const worker = this.worker;
    if (worker) {
      const closing = worker.close();
      await settleWithin(closing, graceMs);
      this.shutdown.abort(new Error('the agent is shutting down'));
      await settleWithin(closing, CHECKPOINT_MS);
    }
    await settleWithin(Promise.all([this.events.close(), this.queue.close()]), CHECKPOINT_MS);
    // left open it would retry a lost Redis for ever and keep the process alive
    this.eventsConnection.disconnect();
  }
}

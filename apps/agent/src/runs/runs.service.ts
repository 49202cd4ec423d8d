import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AgentOrchestrator } from '../core/agent-orchestrator.service';
import { AgentError, describeError } from '../core/agent.errors';
import { AGENT_SETTINGS } from '../core/agent.tokens';
import type { AgentSettings, RunRequest } from '../core/agent.types';
import { RUN_BACKEND, type RunBackend } from './run-backend';
import { RunExecutor } from './run-executor';
import { settleWithin } from './queue/run-queue';
import {
  isTerminal,
  newRunDocument,
  toRunResource,
  toRunSummary,
  type RunDocument,
  type RunListQuery,
  type RunResource,
  type RunSummary,
} from './store/run-document';

/** How long DELETE waits for the worker (on any replica) to wind the run down before answering. */
const CANCEL_SETTLE_MS = 5_000;
const PRUNE_EVERY_MS = 3_600_000;
/** What a client is told to wait before retrying when the queue is unreachable. */
export const RETRY_AFTER_SECONDS = 5;

/** Accepts runs, lists and finds them, cancels them; starts this process's worker when its role has one. */
@Injectable()
export class RunsService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(RunsService.name);
  private pruneTimer?: NodeJS.Timeout;

  constructor(
    @Inject(RUN_BACKEND) private readonly backend: RunBackend,
    private readonly orchestrator: AgentOrchestrator,
    @Inject(AGENT_SETTINGS) private readonly settings: AgentSettings,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.prune();
    this.pruneTimer = setInterval(() => void this.prune(), PRUNE_EVERY_MS).unref();
    if (this.backend.role === 'api') return;
    const executor = new RunExecutor(
      this.backend.workerRepository ?? this.backend.repository,
      this.backend.bus,
      this.orchestrator,
      this.backend.workerId,
    );
    await this.backend.queue.startWorker(
      (runId, shutdown) => executor.process(runId, shutdown).finally(() => this.pruneAfterRun()),
      this.settings.maxConcurrentRuns,
    );
    if (this.backend.mode === 'sqlite') await this.recoverUnfinished();
  }

  /** One machine: runs left `queued` or `running` by the previous process are queued again (see RunExecutor.claim). */
  private async recoverUnfinished(): Promise<void> {
    const unfinished = await this.backend.repository.unfinished();
    for (const doc of unfinished) await this.backend.queue.enqueue(doc.id);
    if (unfinished.length > 0)
      this.logger.log(`${unfinished.length} unfinished run(s) from before the restart queued again`);
  }

  async start(request: RunRequest): Promise<RunDocument> {
    const { queue, repository } = this.backend;
    if (!queue.isAvailable()) throw unavailable('the run queue is unreachable');
    if (!queue.hasRoom())
      throw new AgentError('RATE_LIMITED', 'the run queue is full; retry when some runs have finished');
    const doc = newRunDocument(randomUUID(), request);
    try {
      await repository.insert(doc);
      await queue.enqueue(doc.id);
    } catch (error) {
      throw unavailable(`the run could not be queued (${describeError(error)})`);
    }
    this.logger.log(`run ${doc.id} queued`);
    return doc;
  }

  async get(id: string): Promise<RunResource> {
    const doc = await this.find(id);
    return toRunResource(doc, await this.backend.repository.steps(id));
  }

  async list(query: RunListQuery): Promise<{ runs: RunSummary[]; next_cursor?: string }> {
    const page = await this.backend.repository.list(query);
    return { runs: page.runs.map(toRunSummary), next_cursor: page.nextCursor };
  }

  async find(id: string): Promise<RunDocument> {
    const doc = await this.backend.repository.get(id);
    if (!doc)
      throw new AgentError(
        'NOT_FOUND',
        `no run with id "${id}" (finished runs are kept for the retention period)`,
      );
    return doc;
  }

  /** A queued run ends here; a running one is aborted by its worker, wherever that runs. */
  async cancel(id: string): Promise<RunResource> {
    const doc = await this.find(id);
    if (isTerminal(doc.status)) return this.get(id);
    const { repository, bus } = this.backend;
    const ended = await waitForEnd(bus, id);
    await repository.requestCancel(id);
    if (!(await this.cancelQueued(doc))) await bus.requestCancel(id);
    await settleWithin(ended.promise, CANCEL_SETTLE_MS);
    ended.stop();
    return this.get(id);
  }

  private async cancelQueued(doc: RunDocument): Promise<boolean> {
    if (doc.status !== 'queued') return false;
    const message = 'The run was cancelled before it started.';
    const cancelled: RunDocument = {
      ...doc,
      status: 'cancelled',
      finishedAt: new Date().toISOString(),
      result: { outcome: 'cancelled', answer: message },
      error: { code: 'CANCELLED', message },
    };
    const guard = { status: ['queued' as const], attempts: doc.attempts };
    if (!(await this.backend.repository.update(cancelled, guard))) return false;
    await this.backend.bus.publish(doc.id, { type: 'end', run: toRunSummary(cancelled) });
    return true;
  }

  /** Stop taking work, give running runs the grace period, checkpoint the rest, then close the store. */
  async onModuleDestroy(): Promise<void> {
    clearInterval(this.pruneTimer);
    await this.backend.queue.stop(this.backend.shutdownGraceMs);
    await this.backend.close();
  }

  /** SQLite prunes after every run (one indexed DELETE); Redis only on the hourly pass. */
  private async pruneAfterRun(): Promise<void> {
    if (this.backend.mode === 'sqlite') await this.prune();
  }

  private async prune(): Promise<void> {
    try {
      const removed = await this.backend.repository.prune(this.backend.retention);
      if (removed > 0) this.logger.log(`retention: ${removed} finished run(s) deleted`);
    } catch (error) {
      this.logger.warn(`retention pass failed: ${describeError(error)}`);
    }
  }
}

function unavailable(message: string): AgentError {
  return new AgentError('UNAVAILABLE', `${message}; retry in ${RETRY_AFTER_SECONDS} s`, {
    retryAfterSeconds: RETRY_AFTER_SECONDS,
  });
}

/** Subscribed before the cancel is sent, so the worker's `end` cannot be missed. */
async function waitForEnd(
  bus: RunBackend['bus'],
  id: string,
): Promise<{ promise: Promise<void>; stop: () => void }> {
  let resolve = () => {};
  const promise = new Promise<void>((r) => (resolve = r));
  const stop = await bus.subscribe(id, (event) => {
    if (event.type === 'end') resolve();
  });
  return { promise, stop };
}

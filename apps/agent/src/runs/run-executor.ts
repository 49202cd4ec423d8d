import { Logger } from '@nestjs/common';
import type { AgentOrchestrator } from '../core/agent-orchestrator.service';
import { describeError } from '../core/agent.errors';
import type { RunEventBus } from './events/run-event-bus';
import type { RunProcessOutcome } from './queue/run-queue';
import { RunJournal } from './run-journal';
import { RunRecord } from './run-record';
import { isTerminal, toRunSummary, type RunDocument } from './store/run-document';
import type { RunRepository } from './store/run-repository';

/** A run whose process died this many times is failed instead of resumed again (a crash loop). */
export const MAX_CRASH_RESUMES = 2;

/**
 * The worker side of a run, whichever queue delivered it: take the run (fenced claim), rebuild it from its
 * stored steps, execute it with the orchestrator while the journal stores and publishes every step, and
 * honour cancel requests from any replica and the process's own shutdown.
 */
export class RunExecutor {
  private readonly logger = new Logger(RunExecutor.name);

  constructor(
    private readonly repository: RunRepository,
    private readonly bus: RunEventBus,
    private readonly orchestrator: AgentOrchestrator,
    readonly workerId: string,
  ) {}

  async process(runId: string, shutdown: AbortSignal): Promise<RunProcessOutcome> {
    const doc = await this.claim(runId);
    if (!doc) return 'done';
    const steps = await this.repository.steps(runId);
    const record = new RunRecord(doc.request, { id: doc.id, createdAt: new Date(doc.createdAt), steps });
    const journal = new RunJournal(this.repository, this.bus, doc, () =>
      record.interrupt(new Error('the run was taken over')),
    );
    const detach = [
      journal.attach(record),
      this.listenForCancel(record),
      listenForShutdown(record, shutdown),
    ];
    try {
      if ((await this.repository.get(runId))?.cancelRequested) record.cancel();
      await this.orchestrator.execute(record);
    } finally {
      for (const stop of detach) stop();
      await journal.flushed();
    }
    return record.interrupted ? 'interrupted' : 'done';
  }

  /**
   * Takes the run for this worker: `attempts` + 1 is the fence every later write carries. A run still
   * `running` was held by a process that died: it is resumed from its stored steps, or failed once it
   * has crashed its process too often.
   */
  private async claim(runId: string): Promise<RunDocument | undefined> {
    const stored = await this.repository.get(runId);
    if (!stored || isTerminal(stored.status)) return undefined;
    const crashed = stored.status === 'running';
    const doc: RunDocument = {
      ...stored,
      status: 'running',
      attempts: stored.attempts + 1,
      worker: this.workerId,
      startedAt: stored.startedAt ?? new Date().toISOString(),
      crashes: (stored.crashes ?? 0) + (crashed ? 1 : 0),
    };
    const guard = { status: [stored.status], attempts: stored.attempts };
    if (stored.cancelRequested) return this.end(doc, guard, 'cancelled', cancelledBeforeStart());
    if ((doc.crashes ?? 0) > MAX_CRASH_RESUMES) return this.end(doc, guard, 'failed', processStopped(doc));
    if (!(await this.repository.update(doc, guard))) return undefined;
    if (crashed) this.logger.warn(`run ${runId}: resumed after step ${doc.stepCount} (its process stopped)`);
    return doc;
  }

  private async end(
    doc: RunDocument,
    guard: { status: RunDocument['status'][]; attempts: number },
    status: 'cancelled' | 'failed',
    error: { code: string; message: string },
  ): Promise<undefined> {
    const result =
      status === 'cancelled' ? { outcome: 'cancelled' as const, answer: error.message } : undefined;
    const ended: RunDocument = { ...doc, status, error, result, finishedAt: new Date().toISOString() };
    if (await this.repository.update(ended, guard)) {
      this.logger.log(`run ${doc.id} ended ${status}: ${error.message}`);
      await this.bus.publish(doc.id, { type: 'end', run: toRunSummary(ended) });
    }
    return undefined;
  }

  private listenForCancel(record: RunRecord): () => void {
    return this.bus.onCancel((id) => {
      if (id === record.id) record.cancel();
    });
  }
}

function listenForShutdown(record: RunRecord, shutdown: AbortSignal): () => void {
  const interrupt = () => record.interrupt(new Error(describeError(shutdown.reason)));
  if (shutdown.aborted) interrupt();
  shutdown.addEventListener('abort', interrupt, { once: true });
  return () => shutdown.removeEventListener('abort', interrupt);
}

function cancelledBeforeStart() {
  return { code: 'CANCELLED', message: 'The run was cancelled before it started.' };
}

function processStopped(doc: RunDocument) {
  const message = `the agent process stopped during step ${doc.stepCount + 1} (${doc.crashes ?? 0} times); not resumed again`;
  return { code: 'WORKER_LOST', message };
}

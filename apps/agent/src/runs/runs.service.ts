import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { AgentOrchestrator } from '../core/agent-orchestrator.service';
import { describeError } from '../core/agent.errors';
import type { RunRequest, RunView } from '../core/agent.types';
import { RunRecord } from './run-record';
import { RunStore } from './run-store';

/** How long DELETE waits for the loop to wind down after the abort before answering. */
const CANCEL_SETTLE_MS = 5_000;

/** Starts runs in the background, finds them, cancels them. */
@Injectable()
export class RunsService implements OnModuleDestroy {
  private readonly logger = new Logger(RunsService.name);

  constructor(
    private readonly orchestrator: AgentOrchestrator,
    private readonly store: RunStore,
  ) {}

  start(request: RunRequest): RunRecord {
    const record = new RunRecord(request);
    this.store.add(record);
    this.logger.log(`run ${record.id} started`);
    this.orchestrator.execute(record).catch((error: unknown) => {
      // execute() records every failure itself; reaching this is a bug worth a log line.
      this.logger.error(`run ${record.id} crashed: ${describeError(error)}`);
      record.finish('failed', undefined, { code: 'INTERNAL', message: describeError(error) });
    });
    return record;
  }

  get(id: string): RunRecord {
    return this.store.get(id);
  }

  async cancel(id: string): Promise<RunView> {
    const record = this.store.get(id);
    record.cancel();
    await settleWithin(record.done, CANCEL_SETTLE_MS);
    return record.view();
  }

  /**
   * On module destroy, not application shutdown: that comes after the planner client is closed, and closing
   * it waits for its in-flight calls, so shutdown hung until a running run's planner call ended.
   */
  async onModuleDestroy(): Promise<void> {
    const running = this.store.running();
    for (const record of running) record.cancel();
    await Promise.all(running.map((r) => settleWithin(r.done, CANCEL_SETTLE_MS)));
  }
}

async function settleWithin(promise: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  await Promise.race([promise, timeout]);
  clearTimeout(timer);
}

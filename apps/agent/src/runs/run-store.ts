import { Inject, Injectable } from '@nestjs/common';
import { AgentError } from '../core/agent.errors';
import { AGENT_SETTINGS } from '../core/agent.tokens';
import type { AgentSettings } from '../core/agent.types';
import type { RunRecord } from './run-record';

/** In-memory runs, bounded: beyond `maxStoredRuns` the oldest finished runs are evicted (running ones never). */
@Injectable()
export class RunStore {
  private readonly runs = new Map<string, RunRecord>();

  constructor(@Inject(AGENT_SETTINGS) private readonly settings: AgentSettings) {}

  get size(): number {
    return this.runs.size;
  }

  add(record: RunRecord): void {
    const running = this.running().length;
    if (running >= this.settings.maxConcurrentRuns) {
      throw new AgentError(
        'RATE_LIMITED',
        `${running} runs are in progress, the limit; retry when one has finished`,
      );
    }
    this.runs.set(record.id, record);
    this.evictFinished();
  }

  get(id: string): RunRecord {
    const record = this.runs.get(id);
    if (!record)
      throw new AgentError(
        'NOT_FOUND',
        `no run with id "${id}" (finished runs are kept for a while, then evicted)`,
      );
    return record;
  }

  running(): RunRecord[] {
    return [...this.runs.values()].filter((r) => !r.finished);
  }

  private evictFinished(): void {
    // Map iteration follows insertion order, so the first finished runs found are the oldest.
    for (const [id, record] of this.runs) {
      if (this.runs.size <= this.settings.maxStoredRuns) return;
      if (record.finished) this.runs.delete(id);
    }
  }
}

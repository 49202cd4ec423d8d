import type { RunRetention } from '@app/config';
import type { RunStatus, StepRecord } from '../../core/agent.types';
import type { RunDocument, RunListQuery, RunPage } from './run-document';

/**
 * Which stored state a write may replace. Every write of a worker names the status it expects and its own
 * `attempts` (its fencing token): a worker that lost its run (the queue gave it to another after a stall,
 * or it was cancelled or failed meanwhile) can no longer overwrite it.
 */
export interface WriteGuard {
  status: readonly RunStatus[];
  attempts?: number;
}

/** Where runs, their steps and results are kept. Drivers: SQLite (one machine) and Redis (many). */
export interface RunRepository {
  /** a short description for logs and health: the file or the Redis URL (without password) */
  readonly location: string;
  insert(doc: RunDocument): Promise<void>;
  get(id: string): Promise<RunDocument | undefined>;
  steps(id: string): Promise<StepRecord[]>;
  list(query: RunListQuery): Promise<RunPage>;
  /** replaces the run when the guard holds; false when it did not (nothing written) */
  update(doc: RunDocument, guard: WriteGuard): Promise<boolean>;
  /** appends a step and saves the run beside it in one write, under the same guard */
  appendStep(doc: RunDocument, step: StepRecord, guard: WriteGuard): Promise<boolean>;
  /** marks the run for cancellation (kept apart from the document: a worker's saves never clear it) */
  requestCancel(id: string): Promise<void>;
  /** `queued` and `running` runs, oldest first (single-machine recovery at start) */
  unfinished(): Promise<RunDocument[]>;
  /** deletes finished runs beyond the retention; returns how many */
  prune(retention: RunRetention, now?: Date): Promise<number>;
  close(): Promise<void>;
}

/** A store that cannot be used: unwritable folder, corrupt or foreign file, unreachable Redis. */
export class RunStoreError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RunStoreError';
  }
}

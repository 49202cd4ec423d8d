import type { ToolCallResult } from '../mcp-protocol';

export type TaskStatus = 'working' | 'completed' | 'failed' | 'cancelled';

/** The Tasks extension's `DetailedTask` (ext-tasks specification 2026-07-28, "Tasks"). */
export interface TaskSnapshot {
  [key: string]: unknown;
  taskId: string;
  status: TaskStatus;
  statusMessage?: string;
  createdAt: string;
  lastUpdatedAt: string;
  ttlMs: number;
  pollIntervalMs: number;
  result?: ToolCallResult;
  error?: { code: number; message: string };
}

export interface StoredTask {
  snapshot: TaskSnapshot;
  /** who created it (a digest of the bearer credential): other callers cannot see or cancel it */
  owner: string;
  /** when the process running it last said it is alive (shared stores only; ms since the epoch) */
  aliveAt?: number;
}

/**
 * Where tasks live between polls. In memory (one process) or in Redis (every replica sees every task, and a
 * cancel reaches the replica that runs it). Only the running replica holds the run itself.
 */
export interface TaskStore {
  readonly kind: 'memory' | 'redis';
  /** false while a task could not be kept (memory full, Redis unreachable): the call then answers inline */
  canStore(): boolean;
  create(task: StoredTask): Promise<void>;
  load(taskId: string): Promise<StoredTask | undefined>;
  /** Replaces the snapshot only while the task is still `working`: the first terminal state wins. */
  settle(next: TaskSnapshot): Promise<boolean>;
  /** The running process says its tasks are alive (a shared store tells orphans from slow runs by it). */
  markAlive(taskIds: readonly string[], at: number): Promise<void>;
  /** Tells whichever process runs the task to abort it. */
  requestCancel(taskId: string): Promise<void>;
  onCancelRequest(listener: (taskId: string) => void): void;
  close(): Promise<void>;
}

/** Bounded memory: beyond this many live tasks new calls simply answer inline. */
export const MAX_STORED_TASKS = 1_000;

interface MemoryEntry extends StoredTask {
  expiresAt: number;
}

/** One process's tasks (the default): a map with the spec's ttlMs as expiry. */
export class MemoryTaskStore implements TaskStore {
  readonly kind = 'memory';
  private readonly tasks = new Map<string, MemoryEntry>();
  private cancelListener: (taskId: string) => void = () => undefined;

  constructor(private readonly now: () => number = Date.now) {}

  canStore(): boolean {
    if (this.tasks.size < MAX_STORED_TASKS) return true;
    for (const [taskId, entry] of this.tasks) if (entry.expiresAt <= this.now()) this.forget(taskId);
    return this.tasks.size < MAX_STORED_TASKS;
  }

  create(task: StoredTask): Promise<void> {
    const expiresAt = this.now() + task.snapshot.ttlMs;
    this.tasks.set(task.snapshot.taskId, { ...task, expiresAt });
    return Promise.resolve();
  }

  load(taskId: string): Promise<StoredTask | undefined> {
    const entry = this.tasks.get(taskId);
    if (entry === undefined || entry.expiresAt > this.now()) return Promise.resolve(entry);
    this.forget(taskId);
    return Promise.resolve(undefined);
  }

  /** An expired task is gone, and so is its run if it is still going (nobody can fetch its result). */
  private forget(taskId: string): void {
    this.tasks.delete(taskId);
    this.cancelListener(taskId);
  }

  settle(next: TaskSnapshot): Promise<boolean> {
    const entry = this.tasks.get(next.taskId);
    if (entry?.snapshot.status !== 'working') return Promise.resolve(false);
    entry.snapshot = next;
    return Promise.resolve(true);
  }

  /** One process: its tasks die with it, there is nobody to tell. */
  markAlive(): Promise<void> {
    return Promise.resolve();
  }

  requestCancel(taskId: string): Promise<void> {
    this.cancelListener(taskId);
    return Promise.resolve();
  }

  onCancelRequest(listener: (taskId: string) => void): void {
    this.cancelListener = listener;
  }

  close(): Promise<void> {
    this.tasks.clear();
    return Promise.resolve();
  }
}

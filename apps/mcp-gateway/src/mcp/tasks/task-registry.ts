import { randomUUID } from 'node:crypto';
import type { TraceContext } from '@app/inference';
import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { TransportKind } from '../../tools/tool.types';
import { supportsTasks } from '../../tools/task-support';
import { McpToolCalls } from '../mcp-tool-calls';
import { TASK_STORE } from './task-store.provider';
import type { StoredTask, TaskSnapshot, TaskStatus, TaskStore } from './task-store';

export type { TaskSnapshot, TaskStatus } from './task-store';

export interface TaskStart {
  tool: string;
  args: unknown;
  owner: string;
  transport: TransportKind;
  requestId?: string;
  trace?: TraceContext;
}

/** Tasks live this long after creation (the spec lets a server forget a task after its ttlMs). */
export const TASK_TTL_MS = 60 * 60_000;
const POLL_INTERVAL_MS = 500;
/** Runs this process holds at once; beyond that new calls answer inline. */
const MAX_RUNNING = 1_000;
/** How often a process running tasks says so in a shared store; three missed beats make a task orphaned. */
export const ALIVE_INTERVAL_MS = 2_000;
const ORPHANED_AFTER_MS = 3 * ALIVE_INTERVAL_MS;

type Update = Partial<TaskSnapshot> & { status: TaskStatus };

/**
 * Task-backed tool calls: one background run per task in the process that took the call, through the same
 * tool-call path as inline calls, polled with tasks/get, stopped with tasks/cancel (which aborts the model
 * request). The task's state lives in the store — this process (default) or Redis (GATEWAY_REDIS_URL: any
 * replica answers tasks/get, and a cancel reaches the replica running the task).
 */
@Injectable()
export class McpTaskRegistry implements OnModuleDestroy {
  private readonly running = new Map<string, AbortController>();
  private readonly heartbeat?: NodeJS.Timeout;
  /** the clock; tests replace it to age tasks without waiting */
  now: () => number = Date.now;

  constructor(
    private readonly toolCalls: McpToolCalls,
    @Inject(TASK_STORE) private readonly store: TaskStore,
  ) {
    store.onCancelRequest((taskId) => this.stopLocal(taskId));
    // a shared store outlives this process: other replicas must tell a killed replica's tasks from slow ones
    if (store.kind === 'redis')
      this.heartbeat = setInterval(() => void this.markAlive(), ALIVE_INTERVAL_MS).unref();
  }

  /** The store first: making room there may stop expired runs here. */
  canRunAsTask(tool: string): boolean {
    return supportsTasks(tool) && this.store.canStore() && this.running.size < MAX_RUNNING;
  }

  /** The task handle, or undefined when it could not be stored (the call then answers inline). */
  async start(call: TaskStart): Promise<TaskSnapshot | undefined> {
    const stamp = new Date(this.now()).toISOString();
    const snapshot: TaskSnapshot = {
      taskId: randomUUID(),
      status: 'working',
      statusMessage: `${call.tool} is running`,
      createdAt: stamp,
      lastUpdatedAt: stamp,
      ttlMs: TASK_TTL_MS,
      pollIntervalMs: POLL_INTERVAL_MS,
    };
    const stored = await this.store.create({ snapshot, owner: call.owner, aliveAt: this.now() }).then(
      () => true,
      () => false,
    );
    if (!stored) return undefined;
    const controller = new AbortController();
    this.running.set(snapshot.taskId, controller);
    void this.run(snapshot, controller.signal, call);
    return { ...snapshot };
  }

  async get(taskId: string, owner: string): Promise<TaskSnapshot | undefined> {
    const task = await this.store.load(taskId);
    if (task?.owner !== owner) return undefined;
    return this.isOrphaned(task) ? this.failOrphan(task.snapshot) : task.snapshot;
  }

  /** Cooperative and idempotent: aborts the run (and its model request); a finished task stays as it is. */
  async cancel(taskId: string, owner: string): Promise<boolean> {
    const task = await this.store.load(taskId);
    if (task?.owner !== owner) return false;
    if (task.snapshot.status !== 'working') return true;
    await this.settle(task.snapshot, { status: 'cancelled', statusMessage: 'cancelled by the client' });
    if (this.running.has(taskId)) this.stopLocal(taskId);
    else await this.store.requestCancel(taskId);
    return true;
  }

  /** Aborts a run of this process (its model request with it) and frees its slot at once. */
  private stopLocal(taskId: string): void {
    this.running.get(taskId)?.abort();
    this.running.delete(taskId);
  }

  get runningCount(): number {
    return this.running.size;
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.heartbeat);
    for (const controller of this.running.values()) controller.abort();
    this.running.clear();
    await this.store.close();
  }

  private async run(snapshot: TaskSnapshot, signal: AbortSignal, call: TaskStart): Promise<void> {
    try {
      const result = await this.toolCalls.call(call.tool, call.args, {
        signal,
        // progress and log notifications have no stream to travel on for a task (spec: not supported)
        notify: () => Promise.resolve(),
        transport: call.transport,
        era: 'modern',
        requestId: call.requestId,
        trace: call.trace,
      });
      // a tool failure is a completed task whose result has isError (spec: "failed" is for JSON-RPC errors)
      await this.settle(snapshot, { status: 'completed', result, statusMessage: `${call.tool} finished` });
    } catch (error) {
      await this.settle(snapshot, failure(error));
    } finally {
      this.running.delete(snapshot.taskId);
    }
  }

  /** The first terminal state wins (the store checks): a run finishing after a cancel does not revive it. */
  private async settle(snapshot: TaskSnapshot, update: Update): Promise<TaskSnapshot> {
    const next = { ...snapshot, ...update, lastUpdatedAt: new Date(this.now()).toISOString() };
    return (await this.store.settle(next).catch(() => false)) ? next : snapshot;
  }

  private markAlive(): Promise<void> {
    return this.store.markAlive([...this.running.keys()], this.now()).catch(() => undefined);
  }

  /** Still `working`, but the process running it has stopped saying so: it was killed, not slow. */
  private isOrphaned(task: StoredTask): boolean {
    if (task.snapshot.status !== 'working' || task.aliveAt === undefined) return false;
    return !this.running.has(task.snapshot.taskId) && this.now() - task.aliveAt > ORPHANED_AFTER_MS;
  }

  private async failOrphan(snapshot: TaskSnapshot): Promise<TaskSnapshot> {
    const message = 'the gateway replica running this task stopped; call the tool again';
    const settled = await this.settle(snapshot, {
      status: 'failed',
      error: { code: -32603, message },
      statusMessage: message,
    });
    // another replica may have settled it first: what the store holds now is the answer
    return settled.status === 'working'
      ? ((await this.store.load(snapshot.taskId))?.snapshot ?? settled)
      : settled;
  }
}

function failure(error: unknown): Update {
  const code =
    typeof (error as { code?: unknown }).code === 'number' ? (error as { code: number }).code : -32603;
  const message = error instanceof Error ? error.message : String(error);
  return { status: 'failed', error: { code, message }, statusMessage: message };
}

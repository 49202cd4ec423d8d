import { randomUUID } from 'node:crypto';
import type { TraceContext } from '@app/inference';
import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { TransportKind } from '../../tools/tool.types';
import { supportsTasks } from '../../tools/task-support';
import { McpToolCalls } from '../mcp-tool-calls';
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

interface TaskEntry {
  snapshot: TaskSnapshot;
  /** who created it (a digest of the bearer credential): other callers cannot see or cancel it */
  owner: string;
  controller: AbortController;
  expiresAt: number;
}

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
/** Bounded memory: beyond this many live tasks new calls simply answer inline. */
const MAX_TASKS = 1_000;

/**
 * Task-backed tool calls of this process: one background run per task through the same tool-call path
 * as inline calls, polled with tasks/get, stopped with tasks/cancel (which aborts the model request).
 * State is per process; the spec's Mcp-Name routing header (= taskId) lets a load balancer send a task's
 * requests to the replica that holds it.
 */
@Injectable()
export class McpTaskRegistry implements OnModuleDestroy {
  private readonly tasks = new Map<string, TaskEntry>();
  /** the clock; tests replace it to age tasks without waiting */
  now: () => number = Date.now;

  constructor(private readonly toolCalls: McpToolCalls) {}

  canRunAsTask(tool: string): boolean {
    return supportsTasks(tool) && this.hasRoom();
  }

  start(call: TaskStart): TaskSnapshot {
    const now = this.now();
    const stamp = new Date(now).toISOString();
    const snapshot: TaskSnapshot = {
      taskId: randomUUID(),
      status: 'working',
      statusMessage: `${call.tool} is running`,
      createdAt: stamp,
      lastUpdatedAt: stamp,
      ttlMs: TASK_TTL_MS,
      pollIntervalMs: POLL_INTERVAL_MS,
    };
    const entry = {
      snapshot,
      owner: call.owner,
      controller: new AbortController(),
      expiresAt: now + TASK_TTL_MS,
    };
    this.tasks.set(snapshot.taskId, entry);
    void this.run(entry, call);
    return { ...snapshot };
  }

  get(taskId: string, owner: string): TaskSnapshot | undefined {
    const entry = this.entry(taskId, owner);
    return entry && { ...entry.snapshot };
  }

  /** Cooperative and idempotent: aborts the run (and its model request); a finished task stays as it is. */
  cancel(taskId: string, owner: string): boolean {
    const entry = this.entry(taskId, owner);
    if (!entry) return false;
    if (entry.snapshot.status === 'working') {
      this.settle(entry, { status: 'cancelled', statusMessage: 'cancelled by the client' });
      entry.controller.abort();
    }
    return true;
  }

  get size(): number {
    return this.tasks.size;
  }

  onModuleDestroy(): void {
    for (const entry of this.tasks.values()) entry.controller.abort();
    this.tasks.clear();
  }

  private async run(entry: TaskEntry, call: TaskStart): Promise<void> {
    try {
      const result = await this.toolCalls.call(call.tool, call.args, {
        signal: entry.controller.signal,
        // progress and log notifications have no stream to travel on for a task (spec: not supported)
        notify: () => Promise.resolve(),
        transport: call.transport,
        era: 'modern',
        requestId: call.requestId,
        trace: call.trace,
      });
      // a tool failure is a completed task whose result has isError (spec: "failed" is for JSON-RPC errors)
      this.settle(entry, { status: 'completed', result, statusMessage: `${call.tool} finished` });
    } catch (error) {
      const code =
        typeof (error as { code?: unknown }).code === 'number' ? (error as { code: number }).code : -32603;
      const message = error instanceof Error ? error.message : String(error);
      this.settle(entry, { status: 'failed', error: { code, message }, statusMessage: message });
    }
  }

  /** The first terminal state wins: a run finishing after tasks/cancel does not revive the task. */
  private settle(entry: TaskEntry, update: Partial<TaskSnapshot> & { status: TaskStatus }): void {
    if (entry.snapshot.status !== 'working') return;
    entry.snapshot = { ...entry.snapshot, ...update, lastUpdatedAt: new Date(this.now()).toISOString() };
  }

  private entry(taskId: string, owner: string): TaskEntry | undefined {
    const entry = this.tasks.get(taskId);
    if (!entry || entry.owner !== owner) return undefined;
    if (entry.expiresAt > this.now()) return entry;
    this.forget(entry);
    return undefined;
  }

  private hasRoom(): boolean {
    if (this.tasks.size < MAX_TASKS) return true;
    const now = this.now();
    for (const entry of this.tasks.values()) if (entry.expiresAt <= now) this.forget(entry);
    return this.tasks.size < MAX_TASKS;
  }

  private forget(entry: TaskEntry): void {
    entry.controller.abort();
    this.tasks.delete(entry.snapshot.taskId);
  }
}

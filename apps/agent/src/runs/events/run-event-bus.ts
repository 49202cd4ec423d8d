import { EventEmitter } from 'node:events';
import type { StepRecord } from '../../core/agent.types';
import type { RunActivity } from '../run-record';
import type { RunSummary } from '../store/run-document';

/**
 * What a run publishes while it executes. `step` and `end` are also in the store (replayable);
 * `progress` (planner tokens, a tool call starting) is live only.
 */
export type RunBusEvent =
  | { type: 'step'; step: StepRecord }
  | { type: 'progress'; progress: RunProgress }
  | { type: 'end'; run: RunSummary };

/** Live progress inside a step: what the planner is doing now, its tokens as they arrive, the tool call starting. */
export type RunProgress = RunActivity;

export type RunBusListener = (event: RunBusEvent) => void;

/**
 * Fans run events and cancel requests out to every process that cares: the SSE streams (any replica) and
 * the worker that executes the run (any replica). In-memory in one process; Redis pub/sub across many.
 */
export interface RunEventBus {
  publish(runId: string, event: RunBusEvent): Promise<void>;
  subscribe(runId: string, listener: RunBusListener): Promise<() => void>;
  requestCancel(runId: string): Promise<void>;
  onCancel(listener: (runId: string) => void): () => void;
  close(): Promise<void>;
}

/** The single-process bus: an EventEmitter per concern. */
export class InMemoryRunEventBus implements RunEventBus {
  private readonly events = new EventEmitter().setMaxListeners(0);
  private readonly cancels = new EventEmitter().setMaxListeners(0);

  async publish(runId: string, event: RunBusEvent): Promise<void> {
    this.events.emit(runId, event);
  }

  async subscribe(runId: string, listener: RunBusListener): Promise<() => void> {
    this.events.on(runId, listener);
    return () => this.events.off(runId, listener);
  }

  async requestCancel(runId: string): Promise<void> {
    this.cancels.emit('cancel', runId);
  }

  onCancel(listener: (runId: string) => void): () => void {
    this.cancels.on('cancel', listener);
    return () => this.cancels.off('cancel', listener);
  }

  async close(): Promise<void> {
    this.events.removeAllListeners();
    this.cancels.removeAllListeners();
  }
}

import type { Redis } from 'ioredis';
import type { RunBusEvent, RunBusListener, RunEventBus } from '../events/run-event-bus';

const EVENTS = 'agent:run-events';
const CANCELS = 'agent:run-cancels';

/**
 * The bus across replicas on Redis pub/sub: every replica subscribes once to two channels and dispatches
 * to its local listeners by run id. Pub/sub loses what is sent while a replica is disconnected; that is
 * fine here because steps and ends are in the store first (SSE replays them) and a cancel is also a flag
 * on the run that the worker reads when it takes the run.
 */
export class RedisRunEventBus implements RunEventBus {
  private readonly listeners = new Map<string, Set<RunBusListener>>();
  private readonly cancelListeners = new Set<(runId: string) => void>();
  private ready?: Promise<unknown>;

  constructor(
    private readonly publisher: Redis,
    private readonly subscriber: Redis,
  ) {
    subscriber.on('message', (channel: string, message: string) => this.dispatch(channel, message));
  }

  private subscribed(): Promise<unknown> {
    this.ready ??= this.subscriber.subscribe(EVENTS, CANCELS);
    return this.ready;
  }

  async publish(runId: string, event: RunBusEvent): Promise<void> {
    await this.publisher.publish(EVENTS, JSON.stringify({ runId, event }));
  }

  async subscribe(runId: string, listener: RunBusListener): Promise<() => void> {
    await this.subscribed();
    const set = this.listeners.get(runId) ?? new Set<RunBusListener>();
    set.add(listener);
    this.listeners.set(runId, set);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(runId);
    };
  }

  async requestCancel(runId: string): Promise<void> {
    await this.publisher.publish(CANCELS, runId);
  }

  onCancel(listener: (runId: string) => void): () => void {
    void this.subscribed();
    this.cancelListeners.add(listener);
    return () => this.cancelListeners.delete(listener);
  }

  async close(): Promise<void> {
    this.listeners.clear();
    this.cancelListeners.clear();
  }

  private dispatch(channel: string, message: string): void {
    if (channel === CANCELS) {
      for (const listener of [...this.cancelListeners]) listener(message);
      return;
    }
    const { runId, event } = JSON.parse(message) as { runId: string; event: RunBusEvent };
    for (const listener of [...(this.listeners.get(runId) ?? [])]) listener(event);
  }
}

import type { AgentRunsConfig, RunRetention } from '@app/config';
import { hostname } from 'node:os';
import { InMemoryRunEventBus, type RunEventBus } from './events/run-event-bus';
import { LocalRunQueue } from './queue/local-run-queue';
import type { RunQueue } from './queue/run-queue';
import type { RunRepository } from './store/run-repository';
import { SqliteRunRepository } from './store/sqlite-run-repository';

export const RUN_BACKEND = Symbol('RUN_BACKEND');

/** Queued runs one machine accepts before answering 429 (the queue is durable: these are SQLite rows). */
export const DEFAULT_MAX_QUEUED_RUNS = 1_000;

/** Store, bus and queue of one deployment mode, with the settings that go with them. */
export interface RunBackend {
  readonly mode: 'sqlite' | 'redis';
  readonly repository: RunRepository;
  /** what workers write through when it differs (Redis: a connection that waits out an outage) */
  readonly workerRepository?: RunRepository;
  readonly bus: RunEventBus;
  readonly queue: RunQueue;
  /** `api`: accepts and serves runs, executes none; `worker`: executes, no runs API; `all`: both */
  readonly role: AgentRunsConfig['role'];
  readonly retention: RunRetention;
  readonly shutdownGraceMs: number;
  /** which process executes a run: recorded on the run as `worker` */
  readonly workerId: string;
  close(): Promise<void>;
}

export function defaultWorkerId(): string {
  return `${hostname()}:${process.pid}`;
}

export interface LocalBackendOptions {
  dataDir: string;
  retention?: RunRetention;
  shutdownGraceMs?: number;
  maxQueuedRuns?: number;
}

/** One machine: SQLite in the data folder, an in-process queue and bus. */
export function createLocalBackend(options: LocalBackendOptions): RunBackend {
  const repository = new SqliteRunRepository(options.dataDir);
  const bus = new InMemoryRunEventBus();
  return {
    mode: 'sqlite',
    repository,
    bus,
    queue: new LocalRunQueue(options.maxQueuedRuns ?? DEFAULT_MAX_QUEUED_RUNS),
    role: 'all',
    retention: options.retention ?? { maxAgeDays: 30 },
    shutdownGraceMs: options.shutdownGraceMs ?? 20_000,
    workerId: defaultWorkerId(),
    close: async () => {
      await bus.close();
      await repository.close();
    },
  };
}

/** The backend the configuration asks for; throws RunStoreError (one clear line) when it cannot be used. */
export async function openRunBackend(config: AgentRunsConfig): Promise<RunBackend> {
  if (config.redisUrl) {
    const { createRedisBackend } = await import('./redis/redis-backend.js');
    return createRedisBackend(config);
  }
  return createLocalBackend(config);
}

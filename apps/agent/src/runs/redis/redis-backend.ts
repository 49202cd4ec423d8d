import type { AgentRunsConfig } from '@app/config';
import { Logger } from '@nestjs/common';
import { Redis, type RedisOptions } from 'ioredis';
import { describeError } from '../../core/agent.errors';
import { defaultWorkerId, type RunBackend } from '../run-backend';
import { toRunSummary } from '../store/run-document';
import { RunStoreError } from '../store/run-repository';
import { BullRunQueue } from './bullmq-run-queue';
import { RedisRunEventBus } from './redis-event-bus';
import { RedisRunRepository } from './redis-run-repository';

const CONNECT_TIMEOUT_MS = 3_000;

/** The URL as it may appear in logs and errors: without its password. */
export function redactRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'redis://…';
  }
}

/** At start, Redis must answer: one line naming AGENT_REDIS_URL otherwise (the caller exits non-zero). */
async function assertReachable(url: string): Promise<void> {
  const probe = new Redis(url, {
    lazyConnect: true,
    connectTimeout: CONNECT_TIMEOUT_MS,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  probe.on('error', () => undefined);
  try {
    await probe.connect();
    await probe.ping();
  } catch (error) {
    throw new RunStoreError(
      `Cannot reach Redis at AGENT_REDIS_URL=${redactRedisUrl(url)} (${describeError(error)}): start Redis, fix the URL, or unset AGENT_REDIS_URL for the single-machine SQLite store`,
      { cause: error },
    );
  } finally {
    probe.disconnect();
  }
}

function untilReady(client: Redis): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise((resolve) => client.once('ready', () => resolve()));
}

function connect(url: string, options: RedisOptions, logger: Logger, name: string): Redis {
  const client = new Redis(url, { connectTimeout: CONNECT_TIMEOUT_MS, ...options });
  let lastState = 'ready';
  client.on('error', (error) => {
    if (lastState !== 'error') logger.warn(`redis (${name}): ${describeError(error)}`);
    lastState = 'error';
  });
  client.on('ready', () => {
    if (lastState === 'error') logger.log(`redis (${name}): connected again`);
    lastState = 'ready';
  });
  return client;
}

/**
 * Many machines: records and events in Redis, runs queued with BullMQ. The API connection fails fast
 * while Redis is away (new runs get 503, nothing half-accepted); the worker's connection queues its
 * writes and retries, so a run in progress keeps its steps across a Redis restart.
 */
export async function createRedisBackend(config: AgentRunsConfig): Promise<RunBackend> {
  const url = config.redisUrl ?? '';
  await assertReachable(url);
  const logger = new Logger('RedisRunBackend');
  const location = redactRedisUrl(url);
  const api = connect(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1 }, logger, 'api');
  const patient = connect(url, { maxRetriesPerRequest: null }, logger, 'worker');
  const subscriber = connect(url, { maxRetriesPerRequest: null }, logger, 'events');
  const repository = new RedisRunRepository(api, location);
  const workerRepository = new RedisRunRepository(patient, location);
  const bus = new RedisRunEventBus(patient, subscriber);
  const queue = new BullRunQueue(api, patient, config.queueLockMs, async (runId, reason) => {
    const doc = await workerRepository.get(runId);
    if (!doc || !['queued', 'running'].includes(doc.status)) return;
    const message = `the agent process stopped during step ${doc.stepCount + 1}; the queue gave up on the run (${reason})`;
    const error = { code: 'WORKER_LOST', message };
    const failed = { ...doc, status: 'failed' as const, error, finishedAt: new Date().toISOString() };
    if (await workerRepository.update(failed, { status: ['queued', 'running'], attempts: doc.attempts }))
      await bus.publish(runId, { type: 'end', run: toRunSummary(failed) });
  });
  await Promise.all([api, patient, subscriber].map(untilReady));
  return {
    mode: 'redis',
    repository,
    workerRepository,
    bus,
    queue,
    role: config.role,
    retention: config.retention,
    shutdownGraceMs: config.shutdownGraceMs,
    workerId: defaultWorkerId(),
    close: async () => {
      await bus.close();
      for (const client of [subscriber, patient, api]) client.disconnect();
    },
  };
}

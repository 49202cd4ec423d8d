import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { PLANNER_MODEL } from '@app/inference';
import request from 'supertest';
import { AgentModule } from '../../apps/agent/src/agent.module';
import { AGENT_SETTINGS, TOOL_GATEWAY } from '../../apps/agent/src/core/agent.tokens';
import { configureAgentApp } from '../../apps/agent/src/http/configure-app';
import type { RunBackend } from '../../apps/agent/src/runs/run-backend';
import { createRedisBackend, redactRedisUrl } from '../../apps/agent/src/runs/redis/redis-backend';
import { FakePlanner, FakeToolGateway, textCall, type PlannerReply } from './support/fakes';
import { startRedis, type RedisUnderTest } from './support/redis-server';
import { testSettings } from './support/settings';
import { collectSse } from './support/sse';

/*
 * The Redis backend in-process (repository, pub/sub bus, BullMQ queue, executor) on a real redis-server,
 * behind the same HTTP API, with fakes as planner and gateway: paging, retention, SSE and cancel.
 */

describe('Runs API on the Redis backend (in-process, real redis-server)', () => {
  let redis: RedisUnderTest;
  let backend: RunBackend;
  let app: INestApplication;
  let planner: FakePlanner;

  beforeAll(async () => {
    redis = await startRedis();
  });

  afterAll(async () => {
    await redis?.stop();
  });

  async function start(script: PlannerReply[] = []): Promise<void> {
    planner = new FakePlanner(script, 'local-models');
    backend = await createRedisBackend({
      dataDir: '',
      redisUrl: redis.url,
      role: 'all',
      retention: { maxRuns: 3 },
      shutdownGraceMs: 500,
      queueLockMs: 5_000,
    });
    const moduleRef = await Test.createTestingModule({
      imports: [
        AgentModule.forRoot({
          providers: [
            { provide: PLANNER_MODEL, useValue: planner },
            { provide: TOOL_GATEWAY, useValue: new FakeToolGateway() },
            { provide: AGENT_SETTINGS, useValue: testSettings() },
          ],
          runs: () => backend,
        }),
      ],
    }).compile();
    app = configureAgentApp(moduleRef.createNestApplication({ logger: false }));
    await app.listen(0, '127.0.0.1');
  }

  afterEach(async () => {
    await app?.close();
    // the next test starts from an empty Redis
    const { Redis } = await import('ioredis');
    const client = new Redis(redis.url);
    await client.flushall();
    client.disconnect();
  });

  async function finished(id: string): Promise<Record<string, unknown>> {
    for (let i = 0; i < 200; i += 1) {
      const { body } = await request(app.getHttpServer()).get(`/v1/runs/${id}`);
      if (!['queued', 'running'].includes(body.status)) return body as Record<string, unknown>;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error('run did not finish');
  }

  it('keeps runs in Redis: paging newest first, status filter, SSE replay, retention by count', async () => {
    await start();
    const server = app.getHttpServer();
    const ids: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      const { body } = await request(server)
        .post('/v1/runs')
        .send({ task: `r${i}` });
      ids.push(body.id);
      expect(await finished(body.id)).toMatchObject({ status: 'succeeded', attempts: 1 });
    }
    const page = await request(server).get('/v1/runs?limit=2&status=succeeded');
    expect(page.body.runs.map((r: { id: string }) => r.id)).toEqual([ids[4], ids[3]]);
    const next = await request(server).get(
      `/v1/runs?limit=2&status=succeeded&cursor=${page.body.next_cursor}`,
    );
    expect(next.body.runs.map((r: { id: string }) => r.id)).toEqual([ids[2], ids[1]]);
    const sse = await collectSse(`${await app.getUrl()}/v1/runs/${ids[4]}/events`);
    expect(sse.events.map((e) => e.event)).toEqual(['step', 'end']);

    expect(await backend.repository.prune({ maxRuns: 3 })).toBe(2);
    expect((await request(server).get(`/v1/runs/${ids[0]}`)).status).toBe(404);
    expect((await request(server).get('/v1/runs?limit=100')).body.runs).toHaveLength(3);
  });

  it('cancels a queued-then-running run through the bus, keeping the step in flight', async () => {
    await start([textCall('formalize_task', { task: 'x' }), 'hang']);
    const server = app.getHttpServer();
    const { body } = await request(server).post('/v1/runs').send({ task: 'hangs at step 2' });
    for (let i = 0; i < 200 && planner.requests.length < 2; i += 1)
      await new Promise((r) => setTimeout(r, 20));
    const cancelled = await request(server).delete(`/v1/runs/${body.id}`);
    expect(cancelled.body).toMatchObject({ status: 'cancelled', result: { outcome: 'cancelled' } });
    expect(cancelled.body.steps.map((s: { kind: string }) => s.kind)).toEqual(['tool_call', 'cancelled']);
    expect(planner.requests[1]?.signal?.aborted).toBe(true);
  });

  it('redacts the password of AGENT_REDIS_URL in what it logs and reports', () => {
    expect(redactRedisUrl('redis://user:hunter2@cache:6379/0')).toBe('redis://user:***@cache:6379/0');
    expect(redactRedisUrl('redis://cache:6379')).toBe('redis://cache:6379');
  });
});

import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { PLANNER_MODEL } from '@app/inference';
import request from 'supertest';
import { AgentModule } from '../../apps/agent/src/agent.module';
import { AGENT_SETTINGS, TOOL_GATEWAY } from '../../apps/agent/src/core/agent.tokens';
import type { RunView } from '../../apps/agent/src/core/agent.types';
import { configureAgentApp } from '../../apps/agent/src/http/configure-app';
import { createLocalBackend, type LocalBackendOptions } from '../../apps/agent/src/runs/run-backend';
import { FakePlanner, FakeToolGateway, textCall, type PlannerReply } from './support/fakes';
import { testSettings } from './support/settings';
import { collectSse } from './support/sse';

const PIPELINE: PlannerReply[] = [
  { ...(textCall('formalize_task', { task: 'add' }) as object), delayMs: 150 },
  { ...(textCall('generate_code', { spec: '$last_spec' }) as object), delayMs: 150 },
  { ...(textCall('final_answer', { answer: 'done' }) as object), delayMs: 150 },
];

describe('Runs API (supertest, fakes behind the orchestrator)', () => {
  let app: INestApplication;
  let planner: FakePlanner;
  let gateway: FakeToolGateway;
  let baseUrl: string;

  async function startApp(
    script: PlannerReply[],
    settings = testSettings(),
    runs: Partial<LocalBackendOptions> = {},
  ): Promise<void> {
    planner = new FakePlanner(script);
    gateway = new FakeToolGateway();
    const moduleRef = await Test.createTestingModule({
      imports: [
        AgentModule.forRoot({
          providers: [
            { provide: PLANNER_MODEL, useValue: planner },
            { provide: TOOL_GATEWAY, useValue: gateway },
            { provide: AGENT_SETTINGS, useValue: settings },
          ],
          runs: () => createLocalBackend({ dataDir: ':memory:', retention: { maxRuns: 3 }, ...runs }),
        }),
      ],
    }).compile();
    app = configureAgentApp(moduleRef.createNestApplication({ logger: false }));
    await app.listen(0, '127.0.0.1');
    baseUrl = await app.getUrl();
  }

  async function waitForEnd(id: string): Promise<RunView> {
    for (let i = 0; i < 100; i += 1) {
      const res = await request(app.getHttpServer()).get(`/v1/runs/${id}`);
      if (!['queued', 'running'].includes(res.body.status)) return res.body as RunView;
      await new Promise((r) => setTimeout(r, 30));
    }
    throw new Error('run did not finish');
  }

  async function waitForStatus(id: string, status: string): Promise<void> {
    for (let i = 0; i < 100; i += 1) {
      if ((await request(app.getHttpServer()).get(`/v1/runs/${id}`)).body.status === status) return;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`run never reached ${status}`);
  }

  afterEach(async () => {
    await app?.close();
  });

  it('POST /v1/runs answers 202 with an id; GET returns status, steps and result', async () => {
    await startApp(PIPELINE);
    const created = await request(app.getHttpServer())
      .post('/v1/runs')
      .send({ task: 'write add', language: 'python', max_steps: 5 });
    expect(created.status).toBe(202);
    expect(created.body).toEqual({ id: expect.any(String), status: 'queued' });
    expect(created.headers.location).toBe(`/v1/runs/${created.body.id}`);
    const running = await request(app.getHttpServer()).get(`/v1/runs/${created.body.id}`);
    expect(['queued', 'running']).toContain(running.body.status);
    expect(running.body.queued_at).toEqual(expect.any(String));
    const done = await waitForEnd(created.body.id);
    expect(done).toMatchObject({
      status: 'succeeded',
      task: 'write add',
      language: 'python',
      result: { outcome: 'final_answer', answer: 'done' },
    });
    expect(done.steps).toHaveLength(3);
    expect(done).toMatchObject({ worker: expect.stringMatching(/:\d+$/), attempts: 1 });
    const times = done as unknown as Record<string, string>;
    expect(Date.parse(times.queued_at!)).toBeLessThanOrEqual(Date.parse(times.started_at!));
    expect(Date.parse(times.started_at!)).toBeLessThanOrEqual(Date.parse(times.finished_at!));
    expect(done.steps[1]).toMatchObject({
      kind: 'tool_call',
      action: { tool: 'generate_code' },
      modelOutput: { text: expect.stringContaining('generate_code') },
    });
  });

  it('streams one SSE event per step, live, then an end event; replays them after the run', async () => {
    await startApp(PIPELINE);
    const { body } = await request(app.getHttpServer()).post('/v1/runs').send({ task: 'write add' });
    const live = await collectSse(`${baseUrl}/v1/runs/${body.id}/events`);
    expect(live.status).toBe(200);
    expect(live.contentType).toContain('text/event-stream');
    const progress = live.events.filter((e) => e.event === 'progress');
    const events = live.events.filter((e) => e.event !== 'progress');
    expect(events.map((e) => e.event)).toEqual(['step', 'step', 'step', 'end']);
    expect(events.map((e) => e.id)).toEqual(['1', '2', '3', undefined]);
    expect(events[3]?.data).toMatchObject({ id: body.id, status: 'succeeded', stepCount: 3 });
    // While a step runs (150 ms of planner time here) the stream is not silent: progress, without ids.
    const beforeStep3 = live.events.slice(
      0,
      live.events.findIndex((e) => e.id === '3'),
    );
    expect(beforeStep3.at(-1)).toMatchObject({ event: 'progress', data: { phase: 'planning', index: 3 } });
    expect(progress.every((e) => e.id === undefined)).toBe(true);
    const replay = await collectSse(`${baseUrl}/v1/runs/${body.id}/events`, { 'Last-Event-ID': '1' });
    expect(replay.events.map((e) => e.event)).toEqual(['step', 'step', 'end']);
    expect((replay.events[0]?.data as { index: number }).index).toBe(2);
  });

  it('DELETE cancels a running run and aborts its planner call', async () => {
    await startApp(['hang']);
    const { body } = await request(app.getHttpServer()).post('/v1/runs').send({ task: 'never ends' });
    await new Promise((r) => setTimeout(r, 50));
    const cancelled = await request(app.getHttpServer()).delete(`/v1/runs/${body.id}`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ status: 'cancelled', result: { outcome: 'cancelled' } });
    expect(planner.requests[0]?.signal?.aborted).toBe(true);
    const again = await request(app.getHttpServer()).delete(`/v1/runs/${body.id}`);
    expect(again.body.status).toBe('cancelled');
  });

  it('queues runs beyond the concurrency limit, cancels a queued one, and answers 429 when the queue is full', async () => {
    await startApp(['hang'], testSettings({ maxConcurrentRuns: 1 }), { maxQueuedRuns: 1 });
    const server = app.getHttpServer();
    const first = await request(server).post('/v1/runs').send({ task: 'one' });
    await waitForStatus(first.body.id, 'running');
    const second = await request(server).post('/v1/runs').send({ task: 'two' });
    expect(second.status).toBe(202);
    const third = await request(server).post('/v1/runs').send({ task: 'three' });
    expect(third.status).toBe(429);
    expect(third.body.error.code).toBe('RATE_LIMITED');
    expect((await request(server).get(`/v1/runs/${second.body.id}`)).body.status).toBe('queued');
    const cancelledQueued = await request(server).delete(`/v1/runs/${second.body.id}`);
    expect(cancelledQueued.body).toMatchObject({ status: 'cancelled', steps: [], attempts: 0 });
    expect(cancelledQueued.body.worker).toBeUndefined();
    await request(server).delete(`/v1/runs/${first.body.id}`);
    const fourth = await request(server).post('/v1/runs').send({ task: 'four' });
    expect(await waitForEnd(fourth.body.id)).toMatchObject({ status: 'succeeded', task: 'four' });
    expect((await request(server).get(`/v1/runs/${second.body.id}`)).body.status).toBe('cancelled');
  });

  it('lists runs newest first with paging and a status filter', async () => {
    await startApp([], testSettings(), { retention: {} });
    const server = app.getHttpServer();
    const ids: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      const { body } = await request(server)
        .post('/v1/runs')
        .send({ task: `t${i}` });
      ids.push(body.id);
      await waitForEnd(body.id);
    }
    const first = await request(server).get('/v1/runs?limit=2');
    expect(first.status).toBe(200);
    expect(first.body.runs.map((r: RunView) => r.id)).toEqual([ids[4], ids[3]]);
    expect(first.body.runs[0]).toMatchObject({ task: 't4', status: 'succeeded', stepCount: 1 });
    expect(first.body.runs[0].steps).toBeUndefined();
    const second = await request(server).get(`/v1/runs?limit=2&cursor=${first.body.next_cursor}`);
    expect(second.body.runs.map((r: RunView) => r.id)).toEqual([ids[2], ids[1]]);
    const last = await request(server).get(`/v1/runs?limit=2&cursor=${second.body.next_cursor}`);
    expect(last.body.runs.map((r: RunView) => r.id)).toEqual([ids[0]]);
    expect(last.body.next_cursor).toBeUndefined();
    expect((await request(server).get('/v1/runs?status=running')).body.runs).toEqual([]);
    expect((await request(server).get('/v1/runs?status=succeeded')).body.runs).toHaveLength(5);
    const bad = await request(server).get('/v1/runs?status=done&limit=0');
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('VALIDATION_FAILED');
  });

  it('rejects invalid bodies with field-level VALIDATION_FAILED errors', async () => {
    await startApp([]);
    const server = app.getHttpServer();
    const empty = await request(server).post('/v1/runs').send({ task: '   ' });
    expect(empty.status).toBe(400);
    expect(empty.body).toEqual({
      error: {
        code: 'VALIDATION_FAILED',
        message: 'task: task must not be empty',
        details: [{ path: 'task', message: 'task must not be empty' }],
      },
    });
    const wrong = await request(server)
      .post('/v1/runs')
      .send({ task: 'x', max_steps: 0, extra: true, language: 5 });
    expect(wrong.status).toBe(400);
    const paths = (wrong.body.error.details as Array<{ path: string }>).map((d) => d.path).sort();
    expect(paths).toEqual(expect.arrayContaining(['extra', 'language', 'max_steps']));
    const missing = await request(server).post('/v1/runs').send({});
    expect(missing.body.error.details).toEqual([{ path: 'task', message: 'task is required' }]);
    const notText = await request(server).post('/v1/runs').send({ task: 7, max_steps: 'many' });
    expect(notText.body.error.details).toEqual([
      { path: 'task', message: 'task must be a string' },
      { path: 'max_steps', message: 'max_steps must be an integer number' },
    ]);
    const text = await request(server)
      .post('/v1/runs')
      .set('Content-Type', 'text/plain')
      .send('{"task":"x"}');
    expect(text.status).toBe(415);
    expect(text.body.error).toMatchObject({
      code: 'VALIDATION_FAILED',
      message: expect.stringMatching(/text\/plain/),
    });
    expect((await request(server).post('/v1/runs').type('form').send({ task: 'x' })).status).toBe(415);
    const malformed = await request(server)
      .post('/v1/runs')
      .set('Content-Type', 'application/json')
      .send('{"task":');
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.code).toBe('VALIDATION_FAILED');
  });

  it('answers unknown runs and routes with NOT_FOUND in the error shape', async () => {
    await startApp([]);
    const server = app.getHttpServer();
    for (const res of [
      await request(server).get('/v1/runs/nope'),
      await request(server).get('/v1/runs/nope/events'),
      await request(server).delete('/v1/runs/nope'),
      await request(server).get('/v2/whatever'),
    ]) {
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('NOT_FOUND');
    }
  });

  it('deletes the oldest finished runs beyond the retention (AGENT_RUN_RETENTION as a count)', async () => {
    await startApp([]);
    const ids: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      const { body } = await request(app.getHttpServer())
        .post('/v1/runs')
        .send({ task: `t${i}` });
      ids.push(body.id);
      await waitForEnd(body.id);
    }
    expect((await request(app.getHttpServer()).get(`/v1/runs/${ids[0]}`)).status).toBe(404);
    expect((await request(app.getHttpServer()).get(`/v1/runs/${ids[4]}`)).status).toBe(200);
  });

  it('reports liveness and readiness of the planner and the gateway', async () => {
    await startApp([]);
    const server = app.getHttpServer();
    expect((await request(server).get('/health/live')).status).toBe(200);
    const ready = await request(server).get('/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body.info).toMatchObject({
      planner: { status: 'up' },
      gateway: { status: 'up' },
      runs: { status: 'up', mode: 'sqlite', role: 'all' },
    });
    gateway.failConnect = new Error('connect ECONNREFUSED');
    const notReady = await request(server).get('/health/ready');
    expect(notReady.status).toBe(503);
    expect(notReady.body.error.gateway).toMatchObject({
      status: 'down',
      target: 'fake://gateway',
      message: 'connect ECONNREFUSED',
    });
  });
});

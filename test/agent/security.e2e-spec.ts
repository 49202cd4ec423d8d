import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { PLANNER_MODEL } from '@app/inference';
import request from 'supertest';
import { AgentModule } from '../../apps/agent/src/agent.module';
import { AGENT_SETTINGS, TOOL_GATEWAY } from '../../apps/agent/src/core/agent.tokens';
import { configureAgentApp } from '../../apps/agent/src/http/configure-app';
import { createLocalBackend } from '../../apps/agent/src/runs/run-backend';
import { FakePlanner, FakeToolGateway, textCall } from './support/fakes';
import { testSettings } from './support/settings';

/** The agent's runs API under the attacks the gateway already held: keys, DNS rebinding, deep JSON, floods. */
describe('agent HTTP security', () => {
  let app: INestApplication;

  async function start(security: { apiKeys: string[]; allowedHosts: string[] }, maxConcurrentRuns = 5) {
    const planner = new FakePlanner(
      Array.from({ length: 10 }, () => ({
        ...(textCall('final_answer', { answer: 'ok' }) as object),
        delayMs: 2_000,
      })),
    );
    const moduleRef = await Test.createTestingModule({
      imports: [
        AgentModule.forRoot({
          providers: [
            { provide: PLANNER_MODEL, useValue: planner },
            { provide: TOOL_GATEWAY, useValue: new FakeToolGateway() },
            { provide: AGENT_SETTINGS, useValue: testSettings({ maxConcurrentRuns }) },
          ],
          // one run may wait behind the running ones; the next is refused
          runs: () => createLocalBackend({ dataDir: ':memory:', retention: {}, maxQueuedRuns: 1 }),
        }),
      ],
    }).compile();
    app = configureAgentApp(moduleRef.createNestApplication({ logger: false }), security);
    await app.listen(0, '127.0.0.1');
  }

  async function waitUntilRunning(api: ReturnType<typeof request>, id: string): Promise<void> {
    for (let i = 0; i < 100; i += 1) {
      if ((await api.get(`/v1/runs/${id}`)).body.status === 'running') return;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error('the first run never started');
  }

  afterEach(async () => {
    await app?.close();
  });

  it('AGENT_API_KEYS: runs cannot be started, read or cancelled without a valid key; health stays open', async () => {
    await start({ apiKeys: ['agent-key'], allowedHosts: ['localhost', '127.0.0.1'] });
    const api = request(app.getHttpServer());
    const none = await api.post('/v1/runs').send({ task: 'x' });
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toBe('Bearer');
    expect(none.body).toMatchObject({ error: { code: 'UNAUTHORIZED', message: /AGENT_API_KEYS/ } });
    await api.post('/v1/runs').set('authorization', 'Bearer wrong').send({ task: 'x' }).expect(401);
    const created = await api.post('/v1/runs').set('authorization', 'Bearer agent-key').send({ task: 'x' });
    expect(created.status).toBe(202);
    await api.get(`/v1/runs/${created.body.id}`).expect(401);
    await api.delete(`/v1/runs/${created.body.id}`).expect(401);
    await api.get(`/v1/runs/${created.body.id}`).set('authorization', 'Bearer agent-key').expect(200);
    await api.get('/health/live').expect(200);
    const anonymous = await api.get('/health/ready');
    expect(anonymous.body).toEqual({ status: expect.any(String) });
    const operator = await api.get('/health/ready').set('authorization', 'Bearer agent-key');
    expect(operator.status).toBe(anonymous.status);
    expect(JSON.stringify(operator.body)).toContain('planner');
  });

  it('a DNS-rebinding page (foreign Host or Origin) is refused with 403', async () => {
    await start({ apiKeys: [], allowedHosts: ['localhost', '127.0.0.1'] });
    const api = request(app.getHttpServer());
    const rebound = await api.post('/v1/runs').set('host', 'evil.example:3001').send({ task: 'x' });
    expect(rebound.status).toBe(403);
    expect(rebound.body).toMatchObject({ error: { code: 'UNAUTHORIZED', message: /AGENT_ALLOWED_HOSTS/ } });
    await api.get('/v1/runs/x').set('origin', 'http://evil.example').expect(403);
    await api.get('/v1/runs/x').set('origin', 'null').expect(403);
    await api.get('/v1/runs/nope').set('host', 'localhost:3001').expect(404);
  });

  it('10k-deep JSON → 400; no X-Powered-By; a full run queue → 429 with Retry-After', async () => {
    await start({ apiKeys: [], allowedHosts: [] }, 1);
    const api = request(app.getHttpServer());
    const deep = `{"task":${'['.repeat(10_000)}${']'.repeat(10_000)}}`;
    const res = await api.post('/v1/runs').set('content-type', 'application/json').send(deep);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: { code: 'VALIDATION_FAILED', message: /nest/i } });
    expect(res.headers['x-powered-by']).toBeUndefined();
    const first = await api.post('/v1/runs').send({ task: 'first' }).expect(202);
    await waitUntilRunning(api, first.body.id);
    await api.post('/v1/runs').send({ task: 'second' }).expect(202);
    const limited = await api.post('/v1/runs').send({ task: 'third' });
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toMatch(/^\d+$/);
  });
});

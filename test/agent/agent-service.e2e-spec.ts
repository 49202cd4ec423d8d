import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import request from 'supertest';
import { startModelServerEmulator, type ModelServerEmulator } from '@app/testing';
import { AgentAppModule } from '../../apps/agent/src/agent-app.module';
import { runReplayDemo } from '../../apps/agent/src/demo/replay-demo';
import { configureAgentApp } from '../../apps/agent/src/http/configure-app';
import { createLocalBackend } from '../../apps/agent/src/runs/run-backend';
import { SqliteRunRepository } from '../../apps/agent/src/runs/store/sqlite-run-repository';
import { McpToolGateway } from '../../apps/agent/src/tools/mcp-tool-gateway';
import { startCodeModel, startGateway, type GatewayUnderTest } from './support/pipeline';
import { TASK, native, waitFor } from './support/planner-replies';
import { collectSse } from './support/sse';

/*
 * The agent as it is deployed: configured from the environment, its HTTP API and SSE, in-process, against
 * the REAL MCP gateway (API keys on) backed by an emulated code model, and an emulated planner.
 */

describe('The configured agent service (env config, HTTP API) against the real gateway', () => {
  let codeModel: ModelServerEmulator;
  let plannerServer: ModelServerEmulator;
  let gateway: GatewayUnderTest;
  let agent: INestApplication;
  let agentUrl: string;

  beforeAll(async () => {
    codeModel = await startCodeModel();
    plannerServer = await startModelServerEmulator();
    // This gateway enforces API keys; the agent must authenticate with the first one.
    process.env.GATEWAY_API_KEYS = 'agent-e2e-key,other-key';
    gateway = await startGateway(codeModel);
    Object.assign(process.env, {
      MISTRAL_ENDPOINT: `${plannerServer.url}/v1/chat/completions`,
      MISTRAL_PROTOCOL: 'auto',
      MCP_GATEWAY_URL: gateway.mcpUrl,
      AGENT_MAX_STEPS: '6',
    });
    agent = configureAgentApp(
      await NestFactory.create(AgentAppModule.forRoot({ httpLogs: false }), { logger: false }),
    );
    await agent.listen(0, '127.0.0.1');
    agentUrl = await agent.getUrl();
  });

  afterAll(async () => {
    await agent?.close();
    await gateway?.close();
    await Promise.all([codeModel?.close(), plannerServer?.close()]);
  });

  it('POST /v1/runs then SSE: one event per step, then the end event with the result', async () => {
    plannerServer.script(
      { ...native('formalize_task', { task: TASK }, 'callDDDD4'), delayMs: 100 },
      native('generate_code', { spec: '$last_spec' }, 'callEEEE5'),
      { text: 'Here is slugify.' },
    );
    const created = await request(agent.getHttpServer())
      .post('/v1/runs')
      .send({ task: TASK, language: 'python' });
    expect(created.status).toBe(202);
    const sse = await collectSse(`${agentUrl}/v1/runs/${created.body.id}/events`);
    const events = sse.events.filter((e) => e.event !== 'progress');
    expect(events.map((e) => e.event)).toEqual(['step', 'step', 'step', 'end']);
    expect(events[3]?.data).toMatchObject({
      status: 'succeeded',
      result: { outcome: 'final_answer', code: { language: 'python' } },
    });
    const view = await request(agent.getHttpServer()).get(`/v1/runs/${created.body.id}`);
    expect(view.body.plannerMode).toBe('native');
    expect(view.body.steps[0].modelOutput.toolCalls[0]).toMatchObject({
      id: 'callDDDD4',
      name: 'formalize_task',
    });
  });

  it('DELETE /v1/runs/{id} aborts the in-flight planner request upstream', async () => {
    plannerServer.reset();
    plannerServer.script({ kind: 'hang' });
    const created = await request(agent.getHttpServer()).post('/v1/runs').send({ task: TASK });
    await waitFor(() => plannerServer.inFlight > 0);
    const cancelled = await request(agent.getHttpServer()).delete(`/v1/runs/${created.body.id}`);
    expect(cancelled.body).toMatchObject({ status: 'cancelled', result: { outcome: 'cancelled' } });
    await plannerServer.waitForAborts(1, 5_000);
    expect(plannerServer.abortedCount).toBe(1);
  });

  it('shutting down drains within the grace period, then checkpoints the run in flight for a resume', async () => {
    plannerServer.reset();
    plannerServer.script(native('formalize_task', { task: TASK }, 'callFFFF6'), { kind: 'hang' });
    const dataDir = mkdtempSync(join(tmpdir(), 'agent-drain-'));
    const runs = createLocalBackend({ dataDir, shutdownGraceMs: 300 });
    const stopping = configureAgentApp(
      await NestFactory.create(AgentAppModule.forRoot({ httpLogs: false, runs }), { logger: false }),
    );
    await stopping.listen(0, '127.0.0.1');
    const created = await request(stopping.getHttpServer()).post('/v1/runs').send({ task: TASK });
    await waitFor(() => plannerServer.completedCount >= 1 && plannerServer.inFlight > 0);
    const startedAt = Date.now();
    await stopping.close();
    expect(Date.now() - startedAt).toBeLessThan(3_000);
    await plannerServer.waitForAborts(1, 5_000);
    const reopened = new SqliteRunRepository(dataDir);
    try {
      // Step 1 (done) is kept; step 2 (in flight) is redone when the run is resumed at the next start.
      expect(await reopened.get(created.body.id)).toMatchObject({ status: 'queued', stepCount: 1 });
      expect((await reopened.steps(created.body.id)).map((s) => s.index)).toEqual([1]);
    } finally {
      await reopened.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 15_000);

  it('streams planner tokens as SSE progress while a step runs; a cancel keeps the partial step', async () => {
    plannerServer.reset();
    plannerServer.script({ chunks: ['Let me ', 'think ', 'about ', 'it'], chunkDelayMs: 400 });
    const created = await request(agent.getHttpServer()).post('/v1/runs').send({ task: TASK });
    const streaming = collectSse(`${agentUrl}/v1/runs/${created.body.id}/events`);
    await new Promise((r) => setTimeout(r, 1_000));
    await request(agent.getHttpServer()).delete(`/v1/runs/${created.body.id}`);
    const { events } = await streaming;
    const tokens = events
      .filter((e) => e.event === 'progress' && (e.data as { phase: string }).phase === 'tokens')
      .map((e) => (e.data as { text: string }).text)
      .join('');
    expect(tokens).toMatch(/^Let me think/);
    expect(events.map((e) => e.event).slice(-2)).toEqual(['step', 'end']);
    expect(events.at(-2)?.data).toMatchObject({
      index: 1,
      kind: 'cancelled',
      modelOutput: { text: expect.stringMatching(/^Let me think/) },
      error: 'cancelled during the planner call',
    });
    expect(events.at(-1)?.data).toMatchObject({ status: 'cancelled', stepCount: 1 });
  });

  it('authenticates to a gateway that enforces GATEWAY_API_KEYS', async () => {
    const anonymous = new McpToolGateway({ kind: 'http', url: gateway.mcpUrl });
    await expect(anonymous.ping()).rejects.toThrow();
    const ready = await request(agent.getHttpServer()).get('/health/ready');
    expect(ready.body.info.gateway).toMatchObject({ status: 'up' });
  });

  it('is ready when the planner endpoint and the gateway answer', async () => {
    const ready = await request(agent.getHttpServer()).get('/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body.info).toMatchObject({
      planner: { status: 'up', protocol: 'openai-chat' },
      gateway: { status: 'up' },
    });
  });

  it('runs the replay demo in-process through this gateway', async () => {
    let output = '';
    const views = await runReplayDemo({
      write: (text) => (output += text),
      delayMs: 0,
      gatewayTarget: () => ({
        kind: 'http',
        url: gateway.mcpUrl,
        headers: { Authorization: 'Bearer other-key' },
      }),
    });
    expect(views.map((v) => v.status)).toEqual(['succeeded', 'succeeded']);
    expect(views[1]?.result?.code).toMatchObject({ source: 'review_code', language: 'python' });
    expect(output).toContain('SCRIPTED REPLAY');
    expect(output).toContain('2/2 scenarios succeeded.');
  });
});

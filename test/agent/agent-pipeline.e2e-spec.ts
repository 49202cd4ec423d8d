import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { ModelClient } from '@app/inference';
import request from 'supertest';
import { AgentAppModule } from '../../apps/agent/src/agent-app.module';
import { runReplayDemo } from '../../apps/agent/src/demo/replay-demo';
import { configureAgentApp } from '../../apps/agent/src/http/configure-app';
import { collectSse } from './support/sse';
import {
  startModelServerEmulator,
  type EmulatorReply,
  type ModelServerEmulator,
  type RecordedRequest,
} from '@app/testing';
import { AgentOrchestrator } from '../../apps/agent/src/core/agent-orchestrator.service';
import type { AgentSettings, RunView } from '../../apps/agent/src/core/agent.types';
import { RunRecord } from '../../apps/agent/src/runs/run-record';
import { createLocalBackend } from '../../apps/agent/src/runs/run-backend';
import { SqliteRunRepository } from '../../apps/agent/src/runs/store/sqlite-run-repository';
import { McpSessionRegistry } from '../../apps/mcp-gateway/src/mcp/v1/session-registry';
import { McpToolGateway } from '../../apps/agent/src/tools/mcp-tool-gateway';
import { testSettings } from './support/settings';
import { plannerClient, startCodeModel, startGateway, type GatewayUnderTest } from './support/pipeline';

/*
 * The whole agent against the model-server emulator scripting the planner, with the REAL MCP gateway
 * (in-process, Streamable HTTP) in between, itself backed by a second emulator as its code model.
 */

const TASK = 'Write a function slugify(title) that turns an article title into a URL slug.';

function text(tool: string, args: Record<string, unknown>): EmulatorReply {
  return { text: JSON.stringify({ tool, arguments: args }) };
}

function native(tool: string, args: Record<string, unknown>, id: string): EmulatorReply {
  return {
    text: '',
    toolCalls: [{ id, name: tool, arguments: JSON.stringify(args) }],
    finishReason: 'tool_calls',
  };
}

function bodyOf(request: RecordedRequest | undefined): {
  messages: Array<Record<string, unknown>>;
  tools?: unknown[];
} {
  return request?.body as { messages: Array<Record<string, unknown>>; tools?: unknown[] };
}

describe('Agent pipeline: emulated planner → agent → real MCP gateway → emulated code model', () => {
  let codeModel: ModelServerEmulator;
  let plannerServer: ModelServerEmulator;
  let gateway: GatewayUnderTest;
  let planner: ModelClient | undefined;

  beforeAll(async () => {
    codeModel = await startCodeModel();
    plannerServer = await startModelServerEmulator();
    gateway = await startGateway(codeModel);
  });

  afterAll(async () => {
    await gateway?.close();
    await Promise.all([codeModel?.close(), plannerServer?.close()]);
  });

  beforeEach(() => {
    codeModel.reset();
    plannerServer.reset();
  });

  afterEach(async () => {
    await planner?.close();
  });

  function orchestrator(mode: 'native' | 'text', settings: Partial<AgentSettings> = {}): AgentOrchestrator {
    planner = plannerClient(plannerServer, mode);
    return new AgentOrchestrator(
      planner,
      new McpToolGateway({ kind: 'http', url: gateway.mcpUrl }),
      testSettings(settings),
    );
  }

  async function run(
    mode: 'native' | 'text',
    settings: Partial<AgentSettings> = {},
    task = TASK,
  ): Promise<RunView> {
    const record = new RunRecord({ task, language: 'python' });
    await orchestrator(mode, settings).execute(record);
    return record.view();
  }

  it('native tool calling: formalize → generate → review → answer, with tools / tool_calls / role "tool"', async () => {
    plannerServer.script(
      native('formalize_task', { task: TASK, language: 'python' }, 'callAAAA1'),
      native('generate_code', { spec: '$last_spec', language: 'python' }, 'callBBBB2'),
      native('review_code', { code: '$last_code', language: 'python' }, 'callCCCC3'),
      { text: 'slugify is implemented and approved.' },
    );
    const view = await run('native');
    expect(view).toMatchObject({
      status: 'succeeded',
      plannerMode: 'native',
      result: { outcome: 'final_answer' },
    });
    expect(view.tools).toEqual(['formalize_task', 'generate_code', 'review_code', 'run_tests']);
    expect(view.steps.map((s) => s.kind)).toEqual(['tool_call', 'tool_call', 'tool_call', 'final_answer']);
    expect(view.result?.spec?.title).toBe('Slugify article titles');
    expect(view.result?.code?.code).toContain('def slugify');
    expect(view.result?.review).toMatchObject({ verdict: 'approve', score: 9 });
    const first = bodyOf(plannerServer.requests.find((r) => r.path === '/v1/chat/completions'));
    expect(first.tools).toHaveLength(4);
    const last = bodyOf(plannerServer.requests.filter((r) => r.path === '/v1/chat/completions').at(-1));
    expect(last.messages.map((m) => m.role)).toEqual([
      'user',
      'assistant',
      'tool',
      'assistant',
      'tool',
      'assistant',
      'tool',
    ]);
    expect(last.messages[2]).toMatchObject({ tool_call_id: 'callAAAA1' });
    // The generate_code call really received the spec produced by formalize_task (through $last_spec).
    const generatePrompt = JSON.stringify(
      codeModel.requests.filter((r) => r.path === '/v1/chat/completions')[2]?.body,
    );
    expect(generatePrompt).toContain('Strip leading and trailing hyphens');
  });

  it('text action format over local-models: no tools sent, instructions folded into the first user turn', async () => {
    plannerServer.script(
      text('formalize_task', { task: TASK }),
      {
        text: 'Next I generate.\n```json\n{"tool": "generate_code", "arguments": {"spec": "$last_spec"}}\n```',
      },
      text('review_code', { code: '$last_code', spec: '$last_spec' }),
      text('final_answer', { answer: 'Done: slugify written and reviewed.' }),
    );
    const view = await run('text');
    expect(view).toMatchObject({
      status: 'succeeded',
      plannerMode: 'text',
      result: { answer: 'Done: slugify written and reviewed.' },
    });
    expect(view.result?.code?.code).toContain('def slugify');
    const chats = plannerServer.requests.filter((r) => r.path === '/chat').map(bodyOf);
    expect(chats).toHaveLength(4);
    expect(chats[0]?.messages).toHaveLength(1);
    expect(chats[0]?.messages[0]).toMatchObject({ role: 'user' });
    expect(String(chats[0]?.messages[0]?.content)).toContain('formalize_task');
    expect(chats.every((c) => c.tools === undefined && c.messages.every((m) => m.role !== 'system'))).toBe(
      true,
    );
  });

  it('recovers from malformed planner outputs within the retry budget, sending the exact error back', async () => {
    plannerServer.script(
      { text: 'I should probably formalize the task first.' },
      { text: '{"tool": "formalize_task", "arguments": {"task": "x",' },
      text('formalize_task', { tasks: 'typo' }),
      text('formalize_task', { task: TASK }),
      text('final_answer', { answer: 'ok' }),
    );
    const view = await run('text');
    // the planner finished after formalize_task only: no code, so not a success (but it did recover)
    expect(view).toMatchObject({ status: 'failed', result: { outcome: 'no_code' } });
    expect(view.steps.map((s) => s.kind)).toEqual([
      'invalid_action',
      'invalid_action',
      'invalid_action',
      'tool_call',
      'final_answer',
    ]);
    const chats = plannerServer.requests.filter((r) => r.path === '/chat').map(bodyOf);
    expect(String(chats[1]?.messages.at(-1)?.content)).toContain('no JSON action was found in the reply');
    expect(String(chats[3]?.messages.at(-1)?.content)).toContain("must have required property 'task'");
    expect(codeModel.requests.filter((r) => r.path === '/v1/chat/completions')).toHaveLength(1);
  });

  it('exits on the step budget with the best result when the planner never finishes', async () => {
    let n = 0;
    plannerServer.setHandler(() => text('generate_code', { task: `slugify variant ${(n += 1)}` }));
    const view = await run('text', { maxSteps: 4 });
    expect(view).toMatchObject({
      status: 'failed',
      result: { outcome: 'max_steps' },
      error: { code: 'MAX_STEPS' },
    });
    expect(view.steps).toHaveLength(4);
    expect(view.result?.code?.code).toContain('def slugify');
    expect(view.result?.answer).toContain('Latest code');
  });

  it('stops a planner that repeats the same action and observation (stuck)', async () => {
    plannerServer.setHandler(() => text('formalize_task', { task: TASK }));
    const view = await run('text');
    expect(view).toMatchObject({ status: 'failed', result: { outcome: 'stuck' } });
    expect(view.steps).toHaveLength(3);
    expect(view.result?.spec?.title).toBe('Slugify article titles');
  });

  it('shows a tool error to the planner as an observation and carries on', async () => {
    const tooLong = {
      kind: 'error' as const,
      status: 400,
      body: {
        error: {
          message: 'prompt is too long for the context window',
          type: 'BadRequestError',
          param: null,
          code: 400,
        },
      },
    };
    // the first answers the agent's request for tests (it tries again later), the second the planner's call
    codeModel.script(tooLong, tooLong);
    plannerServer.script(
      text('generate_code', { task: TASK }),
      text('generate_code', { task: 'slugify, shorter' }),
      text('final_answer', { answer: 'second try worked' }),
    );
    const view = await run('text');
    expect(view.steps.map((s) => s.kind)).toEqual(['tool_error', 'tool_call', 'final_answer']);
    expect(view.steps[0]?.error).toMatch(/context window|upstream|400/i);
    const chats = plannerServer.requests.filter((r) => r.path === '/chat').map(bodyOf);
    expect(String(chats[1]?.messages.at(-1)?.content)).toContain('the tool failed');
    expect(view.status).toBe('succeeded');
  });

  it('ends its MCP session on the gateway after every run (no sessions left to expire)', async () => {
    const sessions = gateway.app.get(McpSessionRegistry);
    plannerServer.script(text('formalize_task', { task: TASK }), text('final_answer', { answer: 'ok' }));
    await run('text');
    await new McpToolGateway({ kind: 'http', url: gateway.mcpUrl }).ping();
    expect(sessions.size).toBe(0);
  });

  it('cancelling while the planner call is in flight aborts the upstream request', async () => {
    plannerServer.script({ kind: 'hang' });
    const record = new RunRecord({ task: TASK });
    const running = orchestrator('native').execute(record);
    await plannerServer.waitForRequests(1, 5_000);
    await waitFor(() => plannerServer.inFlight > 0);
    record.cancel();
    await running;
    await plannerServer.waitForAborts(1, 5_000);
    expect(record.view()).toMatchObject({ status: 'cancelled', result: { outcome: 'cancelled' } });
  });

  it('cancelling while a tool call is in flight aborts the code model request behind the gateway', async () => {
    codeModel.script({ kind: 'hang' });
    plannerServer.script(text('generate_code', { task: TASK }));
    const record = new RunRecord({ task: TASK });
    const running = orchestrator('text').execute(record);
    await waitFor(() => codeModel.inFlight > 0);
    record.cancel();
    await running;
    await codeModel.waitForAborts(1, 5_000);
    expect(codeModel.abortedCount).toBe(1);
    expect(record.currentStatus).toBe('cancelled');
    // What the step did before the cancel is kept: the planner's answer and the tool call it started.
    const [step] = record.view().steps;
    expect(record.view().steps).toHaveLength(1);
    expect(step).toMatchObject({
      index: 1,
      kind: 'cancelled',
      modelOutput: { text: expect.stringContaining('"generate_code"') },
      error: expect.stringMatching(
        /^cancelled during the (generate_code call|work after the planner answered)$/,
      ),
    });
  });
});

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

async function waitFor(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

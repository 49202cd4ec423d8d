import type { ModelClient } from '@app/inference';
import { startModelServerEmulator, type ModelServerEmulator, type RecordedRequest } from '@app/testing';
import { AgentOrchestrator } from '../../apps/agent/src/core/agent-orchestrator.service';
import type { AgentSettings, RunView } from '../../apps/agent/src/core/agent.types';
import { RunRecord } from '../../apps/agent/src/runs/run-record';
import { McpSessionRegistry } from '../../apps/mcp-gateway/src/mcp/v1/session-registry';
import { McpToolGateway } from '../../apps/agent/src/tools/mcp-tool-gateway';
import { testSettings } from './support/settings';
import { plannerClient, startCodeModel, startGateway, type GatewayUnderTest } from './support/pipeline';
import { TASK, native, text, waitFor } from './support/planner-replies';

/*
 * The whole agent against the model-server emulator scripting the planner, with the REAL MCP gateway
 * (in-process, Streamable HTTP) in between, itself backed by a second emulator as its code model.
 */

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

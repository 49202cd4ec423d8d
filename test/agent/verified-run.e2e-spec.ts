import type { ModelClient } from '@app/inference';
import { startModelServerEmulator, type EmulatorReply, type ModelServerEmulator } from '@app/testing';
import { AgentOrchestrator } from '../../apps/agent/src/core/agent-orchestrator.service';
import { replayCodeModelReply } from '../../apps/agent/src/demo/replay-script';
import { RunRecord } from '../../apps/agent/src/runs/run-record';
import { McpToolGateway } from '../../apps/agent/src/tools/mcp-tool-gateway';
import { plannerClient, startGateway, type GatewayUnderTest } from './support/pipeline';
import { testSettings } from './support/settings';

const TASK = 'Write a function slugify(title) that turns an article title into a URL slug.';
/** The first implementation forgets to lower-case: it fails the written test slugify("Hello, World!") == "hello-world". */
const BUGGY =
  '```python\nimport re\n\ndef slugify(title):\n    return "-".join(w for w in re.split(r"[^A-Za-z0-9]+", title) if w)\n```\nJoins words.';

function promptOf(body: unknown): string {
  const messages = (body as { messages?: { content?: string }[] }).messages ?? [];
  return messages.map((m) => m.content ?? '').join('\n');
}

/** The code model: the replay answers, except that the first implementation of slugify is wrong. */
function codeModelHandler(body: unknown): EmulatorReply {
  const prompt = promptOf(body);
  const isImplementation = prompt.includes('Tests the code must pass') && !prompt.includes('Write ONLY');
  if (isImplementation && !prompt.includes('Your code was run against the tests')) return { text: BUGGY };
  return { text: replayCodeModelReply(body) };
}

function native(tool: string, args: Record<string, unknown>, id: string): EmulatorReply {
  return {
    text: '',
    toolCalls: [{ id, name: tool, arguments: JSON.stringify(args) }],
    finishReason: 'tool_calls',
  };
}

/**
 * The agent with execution, end to end: emulated planner → agent → real gateway (real sandbox) → emulated
 * code model. The task has no tests, so the code model writes them from the acceptance criteria; the
 * first implementation fails them, the repair round gets the failure and passes.
 */
describe('agent run with tests: written, failed once, repaired, passed', () => {
  let codeModel: ModelServerEmulator;
  let plannerServer: ModelServerEmulator;
  let gateway: GatewayUnderTest;
  let planner: ModelClient;

  beforeAll(async () => {
    codeModel = await startModelServerEmulator({ handler: (request) => codeModelHandler(request.body) });
    plannerServer = await startModelServerEmulator();
    gateway = await startGateway(codeModel);
    planner = plannerClient(plannerServer, 'native');
  });

  afterAll(async () => {
    await planner?.close();
    await gateway?.close();
    await Promise.all([codeModel?.close(), plannerServer?.close()]);
  });

  it('records where the tests came from and the verification of the code it returns', async () => {
    plannerServer.script(
      native('formalize_task', { task: TASK, language: 'python' }, 'callAAAA1'),
      native('generate_code', { spec: '$last_spec', language: 'python' }, 'callBBBB2'),
      native('review_code', { code: '$last_code', language: 'python' }, 'callCCCC3'),
      { text: 'slugify is implemented, tested and approved.' },
    );
    const record = new RunRecord({ task: TASK, language: 'python' });
    await new AgentOrchestrator(
      planner,
      new McpToolGateway({ kind: 'http', url: gateway.mcpUrl }),
      testSettings(),
    ).execute(record);
    const view = record.view();

    expect(view.status).toBe('succeeded');
    expect(view.tools).toContain('run_tests');
    expect(view.result?.tests).toEqual({
      source: 'generated',
      code: expect.stringContaining('assert slugify("Hello, World!") == "hello-world"'),
    });
    expect(view.result?.verification).toMatchObject({
      status: 'passed',
      rounds: 2,
      tests_source: 'generated',
      last_run: { passed: true, status: 'passed' },
    });
    expect(view.result?.code?.code).toContain('title.lower()');

    // what the code model saw: the test request, the buggy try, then the repair prompt with the real failure
    const prompts = codeModel.requests
      .filter((r) => r.path === '/v1/chat/completions')
      .map((r) => promptOf(r.body));
    const repair = prompts.find((p) => p.includes('Your code was run against the tests'));
    expect(repair).toContain('assert slugify("Hello, World!") == "hello-world"');
    expect(repair).toContain(
      "AssertionError details: slugify('Hello, World!') returned 'Hello-World', expected 'hello-world'",
    );
    expect(prompts.filter((p) => p.includes('Write ONLY a short python test program'))).toHaveLength(1);
  });
});

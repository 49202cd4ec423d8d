import { startModelServerEmulator } from '@app/testing';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import {
  connectStreamableHttp,
  emulatorEndpoint,
  startGateway,
  useGatewayOnEmulator,
} from './support/gateway-harness';

const RIGHT = '```python\ndef add(a, b):\n    return a + b\n```\nAdds the two numbers.';
const WRONG = '```python\ndef add(a, b):\n    return a - b\n```\nAdds the two numbers.';
const TESTS = 'assert add(2, 3) == 5, "add(2, 3) should be 5"\nassert add(0, 0) == 0';

interface ChatBody {
  messages: { role: string; content: string }[];
}
interface GenerateBody {
  code: string;
  usage?: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
  verification?: {
    status: string;
    rounds: number;
    reason?: string;
    last_run?: { passed: boolean; status: string; failures: { message: string }[] };
  };
  error?: { code: string; message: string };
}

/**
 * generate_code with tests against the model-server emulator and the real sandbox: generate → run →
 * repair with the real failure text, as the model sees it in its recorded requests.
 */
describe('generate_code with tests (verified)', () => {
  const fixture = useGatewayOnEmulator({ env: { SANDBOX: 'auto' } });

  const chatRequests = (): ChatBody[] =>
    fixture.emulator.requests.filter((r) => r.path === '/v1/chat/completions').map((r) => r.body as ChatBody);

  async function generate(args: Record<string, unknown>): Promise<GenerateBody> {
    const response = await fetch(`${fixture.gateway.baseUrl}/v1/tools/generate_code`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ task: 'add two numbers', ...args }),
    });
    expect(response.status).toBe(200);
    return (await response.json()) as GenerateBody;
  }

  it('a correct first answer passes on round 1; the tests are in the prompt', async () => {
    fixture.emulator.script({ text: RIGHT });
    const output = await generate({ tests: TESTS });
    expect(output.code).toContain('return a + b');
    expect(output.verification).toMatchObject({
      status: 'passed',
      rounds: 1,
      last_run: { passed: true, status: 'passed' },
    });
    const requests = chatRequests();
    expect(requests).toHaveLength(1);
    expect(requests[0]?.messages.at(-1)?.content).toContain('assert add(2, 3) == 5');
  });

  it('reports the tokens of every round, as the model server counted them', async () => {
    fixture.emulator.script(
      { text: WRONG, usage: { promptTokens: 100, completionTokens: 20 } },
      { text: RIGHT, usage: { promptTokens: 150, completionTokens: 25 } },
    );
    const output = await generate({ tests: TESTS, max_repair_rounds: 2 });
    expect(output.verification).toMatchObject({ status: 'passed', rounds: 2 });
    expect(output.usage).toEqual({ prompt_tokens: 250, completion_tokens: 45, total_tokens: 295 });
  });

  it('wrong answers stop after max_repair_rounds with status failed; each repair prompt quotes the failure', async () => {
    fixture.emulator.script({ text: WRONG }, { text: WRONG }, { text: WRONG }, { text: RIGHT });
    const output = await generate({ tests: TESTS, max_repair_rounds: 2 });
    expect(output.verification).toMatchObject({
      status: 'failed',
      rounds: 3,
      last_run: { passed: false, status: 'failed' },
    });
    expect(output.verification?.last_run?.failures[0]?.message).toContain(
      'AssertionError: add(2, 3) should be 5',
    );
    const requests = chatRequests();
    expect(requests).toHaveLength(3); // the fourth (right) answer was never asked for
    for (const repair of requests.slice(1)) {
      const feedback = repair.messages.at(-1)?.content ?? '';
      expect(feedback).toContain('The tests failed (exit code 1)');
      expect(feedback).toContain('AssertionError: add(2, 3) should be 5');
      expect(feedback).toContain('assert add(2, 3) == 5');
      expect(repair.messages.at(-2)).toMatchObject({
        role: 'assistant',
        content: expect.stringContaining('return a - b'),
      });
      expect(repair.messages).toHaveLength(4); // system, task, the failed code, the failures: no growing history
    }
    fixture.emulator.reset();
  });

  it('max_repair_rounds 0: one generation, failed, no repair', async () => {
    fixture.emulator.script({ text: WRONG });
    const output = await generate({ tests: TESTS, max_repair_rounds: 0 });
    expect(output.verification).toMatchObject({ status: 'failed', rounds: 1 });
    expect(chatRequests()).toHaveLength(1);
  });

  it('MCP: fails once, repaired on round 2; progress notifications say which round runs', async () => {
    fixture.emulator.script({ text: WRONG }, { text: RIGHT });
    const client = await connectStreamableHttp(fixture.gateway.baseUrl);
    try {
      const messages: string[] = [];
      const result = (await client.callTool(
        { name: 'generate_code', arguments: { task: 'add two numbers', tests: TESTS } },
        undefined,
        { onprogress: (p) => messages.push(p.message ?? '') },
      )) as CallToolResult;
      expect(result.isError).toBeFalsy();
      expect(result.structuredContent).toMatchObject({ verification: { status: 'passed', rounds: 2 } });
      expect(messages).toEqual(
        expect.arrayContaining([
          'round 1 of 3: generating code',
          'round 1 of 3: running the tests',
          'round 2 of 3: generating code',
          'round 2 of 3: running the tests',
        ]),
      );
      expect(messages).not.toContain('round 3 of 3: generating code');
    } finally {
      await client.close();
    }
  });

  it('without tests it behaves as before: one call, no verification', async () => {
    fixture.emulator.script({ text: WRONG });
    const output = await generate({});
    expect(output.verification).toBeUndefined();
    expect(chatRequests()).toHaveLength(1);
  });

  it('a language the sandbox cannot run: the code comes back with verification not_run and why', async () => {
    fixture.emulator.script({ text: '```go\nfunc Add(a, b int) int { return a + b }\n```\nAdds.' });
    const output = await generate({ tests: 'func TestAdd(t *testing.T) {}', language: 'go' });
    expect(output.verification).toEqual({
      status: 'not_run',
      rounds: 1,
      reason: 'Tests can only be run for python, javascript and typescript (the code is go).',
    });
  });
});

describe('generate_code with tests where execution is off', () => {
  it('returns the code with verification not_run and the sandbox sentence', async () => {
    const emulator = await startModelServerEmulator();
    const gateway = await startGateway({ ...emulatorEndpoint(emulator.url), SANDBOX: 'off' });
    try {
      emulator.script({ text: RIGHT });
      const response = await fetch(`${gateway.baseUrl}/v1/tools/generate_code`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ task: 'add', tests: TESTS }),
      });
      const output = (await response.json()) as GenerateBody;
      expect(output.verification).toEqual({
        status: 'not_run',
        rounds: 1,
        reason:
          'Code execution is turned off (SANDBOX=off); set SANDBOX=auto or SANDBOX=bubblewrap to enable it.',
      });
    } finally {
      await gateway.close();
      await emulator.close();
    }
  });
});

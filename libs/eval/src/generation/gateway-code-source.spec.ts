import type { EvalProblem } from '../datasets/problem';
import { GatewayCodeSource } from './gateway-code-source';
import type { ToolCallOutcome, ToolClient } from './tool-client';

const problem: EvalProblem = {
  taskId: 'HumanEval/0',
  language: 'python',
  prompt: 'def f(x):\n    """>>> f(1)\n    2\n    """\n',
  entryPoint: 'f',
  tests: 'def check(candidate): ...\ncheck(f)\n',
  exampleTests: '_check_examples(f, [("f(1)", "1", "2")])\n',
  failOnOutput: false,
};

/** A gateway that answers every call with `outcome` and keeps the arguments it was sent. */
function fakeTools(outcome: ToolCallOutcome): ToolClient & { sent: Array<Record<string, unknown>> } {
  return {
    sent: [],
    async callTool(name, args) {
      expect(name).toBe('generate_code');
      this.sent.push(args);
      return outcome;
    },
    close: async () => undefined,
    describe: () => 'fake',
  };
}

const signal = new AbortController().signal;
const answer = (structured: unknown): ToolCallOutcome => ({ ok: true, structured, text: '' });

describe('GatewayCodeSource (direct and verified mode)', () => {
  it('direct: the prompt as the task, in its language, never any tests', async () => {
    const tools = fakeTools(answer({ code: 'def f(x):\n    return x + 1', explanation: 'adds one' }));
    const generation = await new GatewayCodeSource(tools, { verified: false }).generate(problem, signal);
    expect(generation).toMatchObject({
      ok: true,
      code: 'def f(x):\n    return x + 1',
      tokens: { estimated: true },
    });
    expect(tools.sent[0]).toEqual({ task: expect.stringContaining(problem.prompt), language: 'python' });
  });

  it("takes generate_code's own token counts (all rounds) when it reports them", async () => {
    const usage = { prompt_tokens: 120, completion_tokens: 30, total_tokens: 150 };
    const tools = fakeTools(answer({ code: 'def f(x):\n    return x + 1', explanation: '', usage }));
    const generation = await new GatewayCodeSource(tools, { verified: false }).generate(problem, signal);
    expect(generation).toMatchObject({
      ok: true,
      tokens: { prompt: 120, completion: 30, total: 150, estimated: false },
    });
  });

  it('verified: the docstring examples as tests (not the hidden ones), with the repair budget', async () => {
    const tools = fakeTools(
      answer({
        code: 'def f(x): return x + 1',
        explanation: '',
        verification: { status: 'passed', rounds: 2 },
      }),
    );
    const source = new GatewayCodeSource(tools, { verified: true, maxRepairRounds: 3 });
    expect(await source.generate(problem, signal)).toMatchObject({
      ok: true,
      verification: 'passed',
      rounds: 2,
    });
    expect(tools.sent[0]).toMatchObject({ tests: problem.exampleTests, max_repair_rounds: 3 });
    expect(JSON.stringify(tools.sent)).not.toContain('def check(');
    const withoutExamples = await source.generate({ ...problem, exampleTests: undefined }, signal);
    expect(withoutExamples).toMatchObject({ ok: true, verification: 'no_examples' });
    expect(tools.sent[1]).not.toHaveProperty('tests');
  });

  it('tells an unusable answer (no code) from a failed call (model error)', async () => {
    const invalid = fakeTools({
      ok: false,
      error: 'INVALID_RESPONSE: code model at http://gpu returned no usable code',
    });
    const down = fakeTools({ ok: false, error: 'UPSTREAM_UNAVAILABLE: http://gpu refused the connection' });
    const empty = fakeTools(answer({ code: '   ', explanation: 'nothing' }));
    const direct = (tools: ToolClient) =>
      new GatewayCodeSource(tools, { verified: false }).generate(problem, signal);
    expect(await direct(invalid)).toMatchObject({ ok: false, status: 'no_code' });
    expect(await direct(down)).toMatchObject({
      ok: false,
      status: 'model_error',
      detail: expect.stringContaining('refused'),
    });
    expect(await direct(empty)).toMatchObject({
      ok: false,
      status: 'no_code',
      detail: 'generate_code returned empty code',
    });
  });
});

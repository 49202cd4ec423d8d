import type { EvalProblem } from '../datasets/problem';
import { AgentCodeSource } from './agent-code-source';

const problem: EvalProblem = {
  taskId: 'HumanEval/0',
  language: 'python',
  prompt: 'def f():\n',
  entryPoint: 'f',
  tests: 'check(f)\n',
  failOnOutput: false,
};

type Reply = { status: number; body: unknown };

/** A scripted agent runs API: answers in order per method, and records every request. */
function fakeAgent(script: { post: Reply[]; get: Reply[] }) {
  const calls: Array<{ method: string; url: string; body?: string; auth?: string }> = [];
  const fetchFake = (async (input: URL, init?: RequestInit) => {
    const method = init?.method ?? 'GET';
    const headers = init?.headers as Record<string, string> | undefined;
    calls.push({
      method,
      url: String(input),
      body: init?.body as string | undefined,
      auth: headers?.authorization,
    });
    const queue = method === 'POST' ? script.post : method === 'GET' ? script.get : [];
    const reply = queue.length > 1 ? queue.shift()! : (queue[0] ?? { status: 204, body: {} });
    return new Response(JSON.stringify(reply.body), { status: reply.status });
  }) as typeof fetch;
  return { calls, fetch: fetchFake };
}

const run = (over: object) => ({
  status: 200,
  body: { status: 'running', steps: [], usage: { totalTokens: 0 }, ...over },
});

describe('AgentCodeSource (agent mode over the runs API)', () => {
  it('waits out 429, polls until the run ends, and takes its code, outcome, steps and real usage', async () => {
    const agent = fakeAgent({
      post: [
        { status: 429, body: { error: { message: 'busy' } } },
        { status: 202, body: { id: 'r1' } },
      ],
      get: [
        run({ status: 'queued' }),
        run({
          status: 'succeeded',
          steps: [{}, {}],
          usage: { promptTokens: 90, completionTokens: 10, totalTokens: 100 },
          result: { outcome: 'final_answer', code: { code: 'def f():\n    return 1' } },
        }),
      ],
    });
    const source = new AgentCodeSource({
      baseUrl: 'http://agent:3001',
      apiKey: 'k',
      pollIntervalMs: 1,
      fetch: agent.fetch,
    });
    const generation = await source.generate(problem, new AbortController().signal);
    expect(generation).toMatchObject({
      ok: true,
      code: 'def f():\n    return 1',
      verification: 'final_answer',
      rounds: 2,
      tokens: { prompt: 90, completion: 10, total: 100, estimated: false },
    });
    expect(agent.calls.map((c) => `${c.method} ${c.url}`)).toEqual([
      'POST http://agent:3001/v1/runs',
      'POST http://agent:3001/v1/runs',
      'GET http://agent:3001/v1/runs/r1',
      'GET http://agent:3001/v1/runs/r1',
    ]);
    expect(JSON.parse(agent.calls[0]!.body!)).toMatchObject({
      language: 'python',
      task: expect.stringContaining('def f():'),
    });
    expect(agent.calls[0]!.auth).toBe('Bearer k');
  });

  it('a run without code is no_code when it finished, model_error when it failed', async () => {
    const finished = fakeAgent({
      post: [{ status: 202, body: { id: 'a' } }],
      get: [run({ status: 'succeeded', result: { outcome: 'final_answer' } })],
    });
    const failed = fakeAgent({
      post: [{ status: 202, body: { id: 'b' } }],
      get: [
        run({ status: 'failed', result: { outcome: 'planner_error' }, error: { message: 'planner down' } }),
      ],
    });
    const signal = new AbortController().signal;
    expect(
      await new AgentCodeSource({ baseUrl: 'http://a', fetch: finished.fetch }).generate(problem, signal),
    ).toMatchObject({ ok: false, status: 'no_code' });
    expect(
      await new AgentCodeSource({ baseUrl: 'http://a', fetch: failed.fetch }).generate(problem, signal),
    ).toMatchObject({
      ok: false,
      status: 'model_error',
      detail: 'agent run failed (planner_error): planner down',
    });
  });

  it('a refused run is a model error; aborting cancels the run on the agent', async () => {
    const refused = fakeAgent({
      post: [{ status: 400, body: { error: { message: 'task is required' } } }],
      get: [],
    });
    const signal = new AbortController().signal;
    expect(
      await new AgentCodeSource({ baseUrl: 'http://a', fetch: refused.fetch }).generate(problem, signal),
    ).toMatchObject({
      ok: false,
      status: 'model_error',
      detail: 'agent refused the run (400): task is required',
    });
    const endless = fakeAgent({ post: [{ status: 202, body: { id: 'z' } }], get: [run({})] });
    const controller = new AbortController();
    const pending = new AgentCodeSource({
      baseUrl: 'http://a',
      pollIntervalMs: 5,
      fetch: endless.fetch,
    }).generate(problem, controller.signal);
    setTimeout(() => controller.abort(), 30);
    await expect(pending).rejects.toBeDefined();
    expect(endless.calls.some((c) => c.method === 'DELETE' && c.url === 'http://a/v1/runs/z')).toBe(true);
  });
});

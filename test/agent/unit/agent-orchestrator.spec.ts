import { Logger } from '@nestjs/common';
import { AgentOrchestrator } from '../../../apps/agent/src/core/agent-orchestrator.service';
import type { AgentSettings } from '../../../apps/agent/src/core/agent.types';
import { RunRecord } from '../../../apps/agent/src/runs/run-record';
import {
  FakePlanner,
  FakeToolGateway,
  DEFAULT_HANDLERS,
  SAMPLE_SPEC,
  nativeCall,
  textCall,
  type PlannerReply,
  type ToolHandler,
} from '../support/fakes';
import { testSettings } from '../support/settings';

const FINAL = textCall('final_answer', { answer: 'Reviewed code is ready.' });

async function runAgent(
  script: PlannerReply[],
  options: {
    protocol?: FakePlanner['protocol'];
    settings?: Partial<AgentSettings>;
    handlers?: Record<string, ToolHandler>;
    maxSteps?: number;
    contextWindow?: number;
  } = {},
) {
  const planner = new FakePlanner(script, options.protocol);
  planner.window = options.contextWindow;
  const gateway = new FakeToolGateway(options.handlers);
  const orchestrator = new AgentOrchestrator(planner, gateway, testSettings(options.settings));
  const record = new RunRecord({ task: 'write add(a, b)', language: 'python', maxSteps: options.maxSteps });
  await orchestrator.execute(record);
  return { planner, gateway, record, view: record.view() };
}

// No Nest app here to pass `logger: false` to: silence the orchestrator's Logger, which would print to the console.
beforeAll(() => {
  Logger.overrideLogger(false);
});

describe('AgentOrchestrator — text action format', () => {
  it('runs formalize → generate → review → final answer, passing results by reference', async () => {
    const { view, gateway, planner } = await runAgent([
      textCall('formalize_task', { task: 'write add(a, b)' }),
      textCall('generate_code', { spec: '$last_spec', language: 'python' }),
      textCall('review_code', { code: '$last_code', language: 'python' }),
      FINAL,
    ]);
    expect(view.status).toBe('succeeded');
    expect(view.plannerMode).toBe('text');
    expect(view.steps.map((s) => s.kind)).toEqual(['tool_call', 'tool_call', 'tool_call', 'final_answer']);
    // before the planner's generate_code the agent asked the code model for tests (the task has none)
    expect(gateway.calls.map((c) => c.name)).toEqual([
      'formalize_task',
      'generate_code',
      'generate_code',
      'review_code',
    ]);
    expect(String(gateway.calls[1]?.args.task)).toContain('Write ONLY a short python test program');
    expect(gateway.calls[2]?.args.spec).toEqual(SAMPLE_SPEC);
    expect(gateway.calls[2]?.args.tests).toContain('def add');
    expect(gateway.calls[3]?.args.code).toContain('def add');
    expect(view.result?.tests?.source).toBe('generated');
    expect(view.result).toMatchObject({
      outcome: 'final_answer',
      answer: 'Reviewed code is ready.',
      review: { verdict: 'approve' },
    });
    expect(view.result?.code).toMatchObject({ source: 'generate_code', language: 'python', step: 2 });
    const first = planner.requests[0]!;
    expect(first.tools).toBeUndefined();
    expect(first.stop).toContain('\nObservation:');
    expect(first.messages.map((m) => m.role)).toEqual(['user']);
    expect(first.messages[0]?.content).toContain('"tool": "final_answer"');
    expect(planner.requests[1]?.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
    expect(planner.requests[1]?.messages[2]?.content).toContain('Observation from formalize_task');
    expect(gateway.closes).toBe(1);
  });

  it('records raw output, parsed action, observation, timings and tokens for every step', async () => {
    const { view } = await runAgent([
      {
        text: 'I will formalize.\n{"tool":"formalize_task","arguments":{"task":"t"}}',
        usage: { promptTokens: 100, completionTokens: 20, totalTokens: 120 },
      },
      FINAL,
    ]);
    const [step] = view.steps;
    expect(step?.modelOutput.text).toContain('I will formalize.');
    expect(step?.action).toEqual({ tool: 'formalize_task', arguments: { task: 't' } });
    expect(step?.observation).toEqual(SAMPLE_SPEC);
    expect(step?.tokens).toEqual({ prompt: 100, completion: 20, total: 120, estimated: false });
    expect(step?.timings.totalMs).toBeGreaterThanOrEqual(0);
    expect(view.steps[1]?.tokens.estimated).toBe(true);
    expect(view.usage.totalTokens).toBeGreaterThan(120);
  });

  it('sends the exact error back and recovers from malformed replies within the retry budget', async () => {
    const { view, planner } = await runAgent([
      { text: 'Let me think about it.' },
      { text: '{"tool": "generate_code", "arguments": {"task": }' },
      textCall('generate_code', { code: 'x' }),
      textCall('generate_code', { task: 'add' }),
      FINAL,
    ]);
    expect(view.status).toBe('succeeded');
    expect(view.steps.map((s) => s.kind)).toEqual([
      'invalid_action',
      'invalid_action',
      'invalid_action',
      'tool_call',
      'final_answer',
    ]);
    expect(view.steps[0]?.error).toBe('no JSON action was found in the reply');
    expect(planner.requests[1]?.messages.at(-1)?.content).toContain(
      'Error: your last reply could not be used: no JSON action',
    );
    expect(view.steps[2]?.error).toContain('must NOT have additional properties');
    expect(planner.requests[3]?.messages.at(-1)?.content).toContain(view.steps[2]!.error!);
  });

  it('keeps an observation the model invented out of the history it sees next', async () => {
    const invented = '{"tool":"formalize_task","arguments":{"task":"t"}}\nObservation: {"title": "made up"}';
    const { planner, view } = await runAgent([{ text: invented }, FINAL]);
    expect(view.steps[0]?.modelOutput.text).toBe(invented);
    expect(planner.requests[1]?.messages[1]?.content).toBe(
      '{"tool":"formalize_task","arguments":{"task":"t"}}',
    );
  });

  it('tells the planner when its reply was cut off at the token limit', async () => {
    const { view } = await runAgent([
      { text: '{"tool": "review_code", "arguments": {"code": "def f(', finishReason: 'length' },
      FINAL,
    ]);
    expect(view.steps[0]?.error).toContain('cut off at the token limit');
    expect(view.steps[0]?.feedback).toContain('"$last_code"');
  });

  it('gives up gracefully after 3 errors sent back in a row', async () => {
    const { view } = await runAgent([{ text: 'no' }, { text: 'no' }, { text: 'no' }, { text: 'no' }, FINAL]);
    expect(view.status).toBe('failed');
    expect(view.steps).toHaveLength(4);
    expect(view.result?.outcome).toBe('invalid_actions');
    expect(view.error?.code).toBe('INVALID_ACTIONS');
  });

  it('rejects unknown tools and references to results that do not exist yet', async () => {
    const { view } = await runAgent([
      textCall('delete_repository', {}),
      textCall('review_code', { code: '$last_code' }),
      FINAL,
    ]);
    expect(view.steps[0]?.error).toContain('there is no tool named "delete_repository"');
    expect(view.steps[1]?.error).toContain('there is no code yet');
    // a final answer with no tool call behind it is not a success
    expect(view).toMatchObject({ status: 'failed', result: { outcome: 'no_tool_calls' } });
  });
});

describe('AgentOrchestrator — constrained text format', () => {
  it('asks a backend with structured output for the action shape as a JSON Schema', async () => {
    const { view, planner } = await runAgent([textCall('formalize_task', { task: 't' }), FINAL], {
      protocol: 'embedded',
    });
    // formalize then finish: no code where code was asked for
    expect(view).toMatchObject({ status: 'failed', plannerMode: 'text', result: { outcome: 'no_code' } });
    expect(planner.requests[0]?.jsonSchema).toEqual({
      name: 'planner_action',
      schema: {
        type: 'object',
        properties: {
          tool: {
            type: 'string',
            enum: ['formalize_task', 'generate_code', 'review_code', 'run_tests', 'final_answer'],
          },
          arguments: { type: 'object', additionalProperties: {} },
        },
        required: ['tool', 'arguments'],
      },
    });
  });

  it('does not constrain local-models, which cannot enforce a schema', async () => {
    const { planner } = await runAgent([FINAL]);
    expect(planner.requests[0]?.jsonSchema).toBeUndefined();
  });
});

describe('AgentOrchestrator — native tool calling', () => {
  it('sends tools, reads tool_calls and answers with role "tool" messages', async () => {
    const { view, planner } = await runAgent(
      [
        nativeCall('formalize_task', { task: 't' }, 'abcDEF123'),
        nativeCall('generate_code', { spec: '$last_spec' }, 'xyz987654'),
        { text: 'Here is the code.' },
      ],
      { protocol: 'openai-chat' },
    );
    expect(view.status).toBe('succeeded');
    expect(view.plannerMode).toBe('native');
    expect(view.result?.answer).toBe('Here is the code.');
    expect(planner.requests[0]?.tools?.map((t) => t.name)).toEqual([
      'formalize_task',
      'generate_code',
      'review_code',
      'run_tests',
    ]);
    expect(planner.requests[0]?.stop).toBeUndefined();
    const second = planner.requests[1]!.messages;
    expect(second.map((m) => m.role)).toEqual(['user', 'assistant', 'tool']);
    expect(second[1]?.toolCalls).toEqual([
      { id: 'abcDEF123', name: 'formalize_task', arguments: '{"task":"t"}' },
    ]);
    expect(second[2]).toMatchObject({ toolCallId: 'abcDEF123', name: 'formalize_task' });
  });

  it('honours a JSON action written as text and reports an empty reply', async () => {
    const { view } = await runAgent(
      [{ text: '' }, textCall('formalize_task', { task: 't' }), { text: 'done' }],
      { protocol: 'openai-chat' },
    );
    expect(view.steps.map((s) => s.kind)).toEqual(['invalid_action', 'tool_call', 'final_answer']);
    expect(view.steps[0]?.error).toBe('the reply had neither a tool call nor an answer');
  });
});

describe('AgentOrchestrator — staying on course', () => {
  it('exits on the step budget with the best result so far', async () => {
    const script = Array.from({ length: 10 }, (_, i) => textCall('generate_code', { task: `variant ${i}` }));
    const { view } = await runAgent(script, { maxSteps: 3 });
    expect(view.status).toBe('failed');
    expect(view.steps).toHaveLength(3);
    expect(view.result?.outcome).toBe('max_steps');
    expect(view.result?.code?.code).toContain('def add');
    expect(view.result?.answer).toContain('step budget');
  });

  it('exits on the token budget', async () => {
    const usage = { promptTokens: 900, completionTokens: 100, totalTokens: 1000 };
    const script = Array.from({ length: 5 }, (_, i) => ({
      text: JSON.stringify({ tool: 'generate_code', arguments: { task: `v${i}` } }),
      usage,
    }));
    const { view } = await runAgent(script, { settings: { maxTokens: 2500 } });
    expect(view.result?.outcome).toBe('max_tokens');
    expect(view.steps).toHaveLength(3);
  });

  it('detects a planner repeating the same action and observation', async () => {
    const script = Array.from({ length: 8 }, () => textCall('formalize_task', { task: 'same' }));
    const { view } = await runAgent(script);
    expect(view.result?.outcome).toBe('stuck');
    expect(view.steps).toHaveLength(3);
    expect(view.result?.spec).toEqual(SAMPLE_SPEC);
  });

  it('shows tool errors to the planner as observations', async () => {
    const handlers = {
      ...DEFAULT_HANDLERS,
      generate_code: (): ReturnType<ToolHandler> => ({ ok: false, error: 'code model timed out' }),
    };
    const { view, planner } = await runAgent([textCall('generate_code', { task: 't' }), FINAL], { handlers });
    expect(view.steps[0]?.kind).toBe('tool_error');
    expect(view.steps[0]?.error).toBe('code model timed out');
    expect(planner.requests[1]?.messages.at(-1)?.content).toContain('the tool failed: code model timed out');
    // no tool call succeeded: the final answer has nothing behind it
    expect(view).toMatchObject({ status: 'failed', result: { outcome: 'no_tool_calls' } });
  });

  it('trims old observations on long runs but keeps recent ones verbatim', async () => {
    const long = 'L'.repeat(3000);
    const handlers = {
      ...DEFAULT_HANDLERS,
      formalize_task: (): ReturnType<ToolHandler> => ({ ok: true, text: long }),
    };
    const script = [
      textCall('formalize_task', { task: 'a' }),
      ...['b', 'c', 'd'].map((t) => textCall('generate_code', { task: t })),
      FINAL,
    ];
    const { planner } = await runAgent(script, { handlers, settings: { keepRecentSteps: 2 } });
    const early = planner.requests[1]!.messages.at(-1)!.content;
    const late = planner.requests[4]!.messages[2]!.content;
    expect(early.length).toBeGreaterThan(3000);
    expect(late).toContain('more characters omitted');
    expect(late.length).toBeLessThan(600);
    expect(planner.requests[4]!.messages[0]!.content).toContain('Task: write add(a, b)');
  });
});

describe('AgentOrchestrator — planner context window', () => {
  it('keeps every planner request within the window the planner reports, by tokens, newest step verbatim', async () => {
    const code = (n: number) => `def f${n}(x):\n` + `    x = x + ${n}  # step ${n}\n`.repeat(200);
    let n = 0;
    const handlers = {
      ...DEFAULT_HANDLERS,
      generate_code: (): ReturnType<ToolHandler> => ({ ok: true, text: code(++n) }),
    };
    const script = Array.from({ length: 8 }, (_, i) => textCall('generate_code', { task: `variant ${i}` }));
    const window = 4096;
    const { planner } = await runAgent([...script, FINAL], { handlers, contextWindow: window });
    const plannerMaxTokens = testSettings().plannerMaxTokens;
    for (const request of planner.requests) {
      const chars = request.messages.reduce((sum, m) => sum + m.content.length, 0);
      expect(Math.ceil(chars / 3) + plannerMaxTokens).toBeLessThanOrEqual(window);
    }
    const last = planner.requests.at(-1)!.messages;
    // the newest observation is the last code generated (verbatim), whatever else the loop called
    expect(last.at(-1)!.content).toContain(code(n).slice(0, 3000));
    expect(last.map((m) => m.content).join('\n')).toContain("left out to fit the planner's context window");
  });
});

describe('AgentOrchestrator — ending', () => {
  it('is cancelled while the planner call is in flight, aborting it', async () => {
    const planner = new FakePlanner(['hang']);
    const orchestrator = new AgentOrchestrator(planner, new FakeToolGateway(), testSettings());
    const record = new RunRecord({ task: 't' });
    const running = orchestrator.execute(record);
    await new Promise((r) => setTimeout(r, 20));
    record.cancel();
    await running;
    expect(planner.requests[0]?.signal?.aborted).toBe(true);
    expect(record.view()).toMatchObject({
      status: 'cancelled',
      result: { outcome: 'cancelled' },
      error: { code: 'CANCELLED' },
    });
  });

  it('aborts a tool call in flight on cancel', async () => {
    let toolSignal: AbortSignal | undefined;
    const hangingTool: ToolHandler = (_args, signal) =>
      new Promise((_resolve, reject) => {
        toolSignal = signal;
        signal.addEventListener('abort', () => reject(new Error('aborted')));
      });
    const planner = new FakePlanner([textCall('generate_code', { task: 't' })]);
    const gateway = new FakeToolGateway({ ...DEFAULT_HANDLERS, generate_code: hangingTool });
    const record = new RunRecord({ task: 't' });
    const running = new AgentOrchestrator(planner, gateway, testSettings()).execute(record);
    await new Promise((r) => setTimeout(r, 20));
    record.cancel();
    await running;
    expect(toolSignal?.aborted).toBe(true);
    expect(record.currentStatus).toBe('cancelled');
  });

  it('exits on the wall-time budget, aborting the hung planner call', async () => {
    const { view, planner } = await runAgent(['hang'], { settings: { maxWallTimeMs: 500 } });
    expect(view.result?.outcome).toBe('max_wall_time');
    expect(view.status).toBe('failed');
    expect(planner.requests[0]?.signal?.aborted).toBe(true);
  });

  it('fails with planner_error when the model call fails', async () => {
    const planner = new FakePlanner([]);
    planner.generate = () => Promise.reject(new Error('upstream 500'));
    const record = new RunRecord({ task: 't' });
    await new AgentOrchestrator(planner, new FakeToolGateway(), testSettings()).execute(record);
    expect(record.view()).toMatchObject({ status: 'failed', result: { outcome: 'planner_error' } });
    expect(record.view().error?.message).toContain('upstream 500');
  });

  it('fails with gateway_error when the tool gateway is unreachable', async () => {
    const gateway = new FakeToolGateway();
    gateway.failConnect = new Error('ECONNREFUSED');
    const record = new RunRecord({ task: 't' });
    await new AgentOrchestrator(new FakePlanner([]), gateway, testSettings()).execute(record);
    expect(record.view()).toMatchObject({ status: 'failed', result: { outcome: 'gateway_error' } });
    expect(record.view().error?.message).toContain('ECONNREFUSED');
  });
});

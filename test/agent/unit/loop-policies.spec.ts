import type { StepRecord } from '../../../apps/agent/src/core/agent.types';
import {
  ContextTrimmer,
  estimatePlannerTokens,
  truncate,
} from '../../../apps/agent/src/core/context-trimmer';
import { RunBudget } from '../../../apps/agent/src/core/run-budget';
import { StuckDetector, stableStringify } from '../../../apps/agent/src/core/stuck-detector';

function step(tool: string | undefined, args: Record<string, unknown>, feedback: string): StepRecord {
  return {
    index: 1,
    kind: tool ? 'tool_call' : 'invalid_action',
    startedAt: '',
    modelOutput: { text: JSON.stringify({ tool, arguments: args }), toolCalls: [] },
    action: tool ? { tool, arguments: args } : undefined,
    feedback,
    timings: { modelMs: 0, toolMs: 0, totalMs: 0 },
    tokens: { prompt: 0, completion: 0, total: 0, estimated: false },
  };
}

describe('StuckDetector', () => {
  const detector = new StuckDetector(3);

  it('needs the same action and observation three times in a row', () => {
    const same = step('formalize_task', { task: 't', language: 'py' }, 'obs');
    const reordered = step('formalize_task', { language: 'py', task: 't' }, 'obs');
    expect(detector.isStuck([same, same])).toBe(false);
    expect(detector.isStuck([same, reordered, same])).toBe(true);
    expect(
      detector.isStuck([same, same, step('formalize_task', { task: 't', language: 'py' }, 'other')]),
    ).toBe(false);
    expect(detector.isStuck([same, step('generate_code', { task: 't' }, 'obs'), same])).toBe(false);
  });

  it('also catches the same action four times with differently worded observations', () => {
    const steps = ['a', 'b', 'c', 'd'].map((obs) => step('generate_code', { task: 't' }, obs));
    expect(detector.isStuck(steps.slice(0, 3))).toBe(false);
    expect(detector.isStuck(steps)).toBe(true);
  });

  it('ignores unparsed replies (the retry budget handles those)', () => {
    const invalid = step(undefined, {}, 'Error');
    expect(detector.isStuck([invalid, invalid, invalid, invalid])).toBe(false);
  });

  it('stringifies independently of key order', () => {
    expect(stableStringify({ b: [1, { d: 1, c: 2 }], a: null })).toBe('{"a":null,"b":[1,{"c":2,"d":1}]}');
  });
});

describe('ContextTrimmer', () => {
  it('keeps the last N steps verbatim and shortens older feedback and arguments', () => {
    const long = 'x'.repeat(1000);
    const steps = [step('generate_code', { task: long }, long), step('review_code', { code: long }, long)];
    const [old, recent] = new ContextTrimmer(1).trim(steps);
    expect(recent?.feedback).toBe(long);
    expect(recent?.arguments).toEqual({ code: long });
    expect(old?.feedback.length).toBeLessThan(500);
    expect(String(old?.arguments?.task)).toContain('more characters omitted');
    expect(JSON.parse(old!.text)).toMatchObject({ tool: 'generate_code' });
  });

  it('trims by tokens: newest verbatim while it fits, older shortened, the rest left out with a note', () => {
    const long = 'y = compute(x)\n'.repeat(400);
    const steps = Array.from({ length: 10 }, (_, i) => step('generate_code', { task: `t${i}` }, long));
    const trimmed = new ContextTrimmer(4).trim(steps, 3000);
    const tokens = trimmed.reduce(
      (sum, t) => sum + estimatePlannerTokens(t.text + t.feedback + JSON.stringify(t.arguments ?? {})),
      0,
    );
    expect(tokens).toBeLessThanOrEqual(3000);
    expect(trimmed.at(-1)?.feedback).toBe(long);
    expect(trimmed.length).toBeLessThan(10);
    expect(trimmed[0]?.feedback).toMatch(/^\[\d+ earlier step\(s\) left out/);
  });

  it('truncates only what is too long', () => {
    expect(truncate('short', 10)).toBe('short');
    expect(truncate('0123456789abc', 10)).toBe('0123456789… [3 more characters omitted]');
  });
});

describe('RunBudget', () => {
  it('names the first limit reached: steps, then tokens, then wall time', () => {
    let now = 0;
    const budget = new RunBudget({ maxSteps: 2, maxTokens: 100, maxWallTimeMs: 1_000 }, () => now);
    const tokens = (total: number) => ({ prompt: total, completion: 0, total, estimated: false });
    expect(budget.exhausted()).toBeUndefined();
    budget.recordStep(tokens(10));
    expect(budget.exhausted()).toBeUndefined();
    budget.recordStep(tokens(10));
    expect(budget.exhausted()).toBe('max_steps');
    budget.recordStep(tokens(100));
    expect(budget.exhausted()).toBe('max_tokens');
    expect(budget.usedTokens).toBe(120);
    now = 1_000;
    expect(budget.remainingMs()).toBe(0);
    expect(budget.exhausted()).toBe('max_wall_time');
    budget.dispose();
  });

  it('aborts its deadline signal when the wall time runs out', async () => {
    const budget = new RunBudget({ maxSteps: 10, maxTokens: 10, maxWallTimeMs: 20 });
    await new Promise((r) => setTimeout(r, 40));
    expect(budget.deadlineSignal.aborted).toBe(true);
    budget.dispose();
  });
});

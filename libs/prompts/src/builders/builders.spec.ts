import { TOOL_CONTRACTS, type FormalizeTaskOutput } from '@app/contracts';
import { buildFormalizePrompt } from './formalize.prompt';
import { buildGenerateCodePrompt } from './generate.prompt';
import { clip, numberLines } from './prompt-spec';
import { buildRepairMessages } from './repair';
import { buildReviewCodePrompt } from './review.prompt';

const spec: FormalizeTaskOutput = {
  title: 'Merge intervals',
  summary: 'Merge overlapping intervals.',
  requirements: ['Sort by start'],
  acceptance_criteria: ['merge([[1,3],[2,4]]) == [[1,4]]'],
  constraints: ['O(n log n)'],
  assumptions: [],
  open_questions: [],
};

function userText(messages: { role: string; content: string }[]): string {
  return messages.find((m) => m.role === 'user')?.content ?? '';
}

describe('buildFormalizePrompt', () => {
  it('asks for the contract JSON with one example, deterministically', () => {
    const prompt = buildFormalizePrompt({ task: 'merge intervals', language: 'py', context: 'legacy code' });
    expect(prompt.messages.map((m) => m.role)).toEqual(['system', 'user']);
    expect(prompt.temperature).toBeLessThanOrEqual(0.2);
    expect(prompt.jsonSchema).toEqual({
      name: 'formalize_task_output',
      schema: TOOL_CONTRACTS.formalize_task.outputJsonSchema,
    });
    expect(prompt.messages[0]?.content).toContain('"acceptance_criteria":[');
    expect(userText(prompt.messages)).toBe(
      'Task:\nmerge intervals\n\nLanguage: python\n\nContext:\nlegacy code',
    );
  });

  it('keeps a long context to a bounded size and says what was cut', () => {
    const prompt = buildFormalizePrompt({ task: 't', context: 'x'.repeat(50_000) });
    expect(userText(prompt.messages).length).toBeLessThan(13_000);
    expect(userText(prompt.messages)).toContain('characters omitted');
  });
});

describe('buildGenerateCodePrompt', () => {
  it('asks for one fenced block in the normalised language and no JSON schema', () => {
    const prompt = buildGenerateCodePrompt({ task: 'add two numbers', language: 'ts' });
    expect(prompt.messages[0]?.content).toContain('```typescript');
    expect(prompt.jsonSchema).toBeUndefined();
    expect(prompt.temperature).toBeLessThanOrEqual(0.2);
    expect(userText(prompt.messages)).toBe('Task:\nadd two numbers');
  });

  it('renders a spec and existing code', () => {
    const prompt = buildGenerateCodePrompt({ spec, language: 'python', context: 'import os' });
    const text = userText(prompt.messages);
    expect(text).toContain('Specification:\n# Merge intervals\nMerge overlapping intervals.');
    expect(text).toContain('Requirements:\n- Sort by start');
    expect(text).toContain('Constraints:\n- O(n log n)');
    expect(text).not.toContain('Assumptions');
    expect(text).toContain('Existing code the new code must fit into:\n```python\nimport os\n```');
  });
});

describe('buildReviewCodePrompt', () => {
  it('numbers the code lines and asks for corrected code on request_changes', () => {
    const prompt = buildReviewCodePrompt({
      code: 'def f():\n    return 1',
      focus: ['correctness'],
      spec: 'return one',
    });
    const text = userText(prompt.messages);
    expect(text).toContain('Code to review (python):\n```\n1 | def f():\n2 |     return 1\n```');
    expect(text).toContain('What the code should do:\nreturn one');
    expect(text).toContain('Focus on:\n- correctness');
    expect(prompt.messages[0]?.content).toContain('corrected_code');
    expect(prompt.jsonSchema?.schema).toBe(TOOL_CONTRACTS.review_code.outputJsonSchema);
    expect(prompt.temperature).toBeLessThanOrEqual(0.2);
  });

  it('uses the given language, a structured spec, and scales the token budget with the code', () => {
    const small = buildReviewCodePrompt({ code: 'x', language: 'js', spec });
    const large = buildReviewCodePrompt({ code: 'y = 1\n'.repeat(3000) });
    expect(userText(small.messages)).toContain('(javascript)');
    expect(userText(small.messages)).toContain('# Merge intervals');
    expect(large.maxTokens).toBeGreaterThan(small.maxTokens);
    expect(large.maxTokens).toBeLessThanOrEqual(4096);
  });
});

describe('numberLines and clip', () => {
  it('pads numbers to the widest', () => {
    expect(numberLines(Array.from({ length: 10 }, (_, i) => `l${i}`).join('\n')).split('\n')[0]).toBe(
      ' 1 | l0',
    );
  });

  it('leaves short text alone', () => {
    expect(clip('abc', 10)).toBe('abc');
  });
});

describe('buildRepairMessages', () => {
  it('appends the bad answer and the exact error, keeping roles alternating', () => {
    const original = buildFormalizePrompt({ task: 't' }).messages;
    const messages = buildRepairMessages(
      original,
      '{"title": ',
      'invalid JSON: expected a value at line 1 col 11',
    );
    expect(messages.slice(0, original.length)).toEqual(original);
    expect(messages.slice(-2).map((m) => m.role)).toEqual(['assistant', 'user']);
    expect(messages[messages.length - 2]?.content).toBe('{"title": ');
    expect(messages[messages.length - 1]?.content).toContain(
      'invalid JSON: expected a value at line 1 col 11',
    );
  });
});

import type { GenerationRequest, GenerationResult, ModelClient } from '@app/inference';
import { createCodeSandbox } from '@app/sandbox';
import { FormalizeTaskTool } from './formalize-task.tool';
import { GenerateCodeTool } from './generate-code.tool';
import { ReviewCodeTool } from './review-code.tool';
import { VerifiedGeneration } from './verified-generation';

/** A scripted code model: answers the queued texts in order and records what it was asked. */
class ScriptedModel implements ModelClient {
  readonly role = 'code' as const;
  readonly protocol = 'openai-chat' as const;
  readonly capabilities = { streaming: true, structuredOutput: false, nativeTools: false };
  readonly requests: GenerationRequest[] = [];

  constructor(
    private readonly answers: string[],
    private readonly finishReason: GenerationResult['finishReason'] = 'stop',
  ) {}

  async generate(request: GenerationRequest): Promise<GenerationResult> {
    this.requests.push(request);
    const text = this.answers.shift() ?? '';
    request.onToken?.(text);
    return {
      text,
      toolCalls: [],
      finishReason: this.finishReason,
      model: 'starcoder2-7b',
      endpoint: 'http://gpu-1:8000',
      attempts: 1,
      timings: { firstTokenMs: 1, totalMs: 2 },
    };
  }

  stream(): AsyncIterable<never> {
    throw new Error('not used by the tools');
  }

  checkHealth(): never {
    throw new Error('not used');
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

const context = () => ({ signal: new AbortController().signal });
/** generate_code without tests never runs anything: a sandbox that is off proves it. */
const withoutSandbox = () =>
  new VerifiedGeneration(
    createCodeSandbox({ mode: 'off', timeoutSeconds: 5, memoryMb: 256, maxConcurrency: 1 }),
  );

describe('formalize_task tool', () => {
  it('parses the model JSON (fences, trailing commas) and keeps the requested language', async () => {
    const model = new ScriptedModel([
      '```json\n{"title":"T","summary":"S","requirements":["r"],"acceptance_criteria":["a"],"constraints":[],"assumptions":[],"open_questions":[],}\n```',
    ]);
    const tokens: string[] = [];
    const spec = await new FormalizeTaskTool(model).run(
      { task: 'parse dates', language: 'go' },
      { ...context(), onToken: (t) => tokens.push(t) },
    );
    expect(spec).toMatchObject({ title: 'T', requirements: ['r'], language: 'go' });
    expect(tokens).toHaveLength(1);
    expect(model.requests[0]?.messages.at(-1)?.content).toContain('parse dates');
  });

  it('gets one repair round when the first answer is not JSON, then fails with INVALID_RESPONSE', async () => {
    const repaired = new ScriptedModel([
      'Sure! The task is about dates.',
      '{"title":"T","summary":"S","requirements":[],"acceptance_criteria":[],"constraints":[],"assumptions":[],"open_questions":[]}',
    ]);
    expect(await new FormalizeTaskTool(repaired).run({ task: 'x' }, context())).toMatchObject({ title: 'T' });
    expect(repaired.requests).toHaveLength(2);
    const hopeless = new ScriptedModel(['no json here', 'still none']);
    await expect(new FormalizeTaskTool(hopeless).run({ task: 'x' }, context())).rejects.toMatchObject({
      code: 'INVALID_RESPONSE',
    });
  });
});

describe('generate_code tool', () => {
  it('returns the fenced code, its language and the explanation around it', async () => {
    const model = new ScriptedModel([
      '```ts\nexport const add = (a: number, b: number) => a + b;\n```\nAdds two numbers.',
    ]);
    const result = await new GenerateCodeTool(model, withoutSandbox()).run(
      { task: 'add', language: 'typescript' },
      context(),
    );
    expect(result).toEqual({
      language: 'typescript',
      code: 'export const add = (a: number, b: number) => a + b;',
      explanation: 'Adds two numbers.',
    });
  });

  it('an empty answer is INVALID_RESPONSE naming the endpoint', async () => {
    const model = new ScriptedModel(['']);
    await expect(
      new GenerateCodeTool(model, withoutSandbox()).run({ task: 'add', language: 'python' }, context()),
    ).rejects.toMatchObject({
      code: 'INVALID_RESPONSE',
      message: expect.stringContaining('http://gpu-1:8000'),
    });
  });
});

describe('generate_code cut at max_tokens', () => {
  it('says the answer was cut, not merely unusable', async () => {
    const model = new ScriptedModel(['Here is the plan. First we consider the input and then'], 'length');
    const error = await new GenerateCodeTool(model, withoutSandbox())
      .run({ task: 'add', language: 'python' }, context())
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'INVALID_RESPONSE', details: { truncated: true } });
    expect((error as Error).message).toContain('cut at the token limit');
  });
});

describe('review_code tool', () => {
  it('returns the review and cleans corrected code the model left fenced', async () => {
    const review = {
      summary: 'Divides by zero.',
      verdict: 'request_changes',
      score: 4,
      issues: [{ severity: 'critical', line: 1, message: 'b may be 0' }],
      corrected_code: '```python\ndef div(a, b):\n    return a / b if b else 0\n```',
    };
    const model = new ScriptedModel([JSON.stringify(review)]);
    const result = await new ReviewCodeTool(model).run({ code: 'def div(a, b): return a / b' }, context());
    expect(result).toMatchObject({
      verdict: 'request_changes',
      score: 4,
      corrected_code: 'def div(a, b):\n    return a / b if b else 0',
    });
  });
});

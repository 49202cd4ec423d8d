import {
  ERROR_CODES,
  HTTP_STATUS_BY_CODE,
  MAX_REVIEW_CODE_CHARS,
  TOOL_CONTRACTS,
  TOOL_NAMES,
  isToolName,
  validate,
  type FormalizeTaskOutput,
} from './index';

const spec: FormalizeTaskOutput = {
  title: 'Merge intervals',
  summary: 'Merge overlapping intervals.',
  requirements: ['Sort by start'],
  acceptance_criteria: ['merge([[1,3],[2,4]]) == [[1,4]]'],
  constraints: [],
  assumptions: [],
  open_questions: [],
};

function errorsOf(schema: (typeof TOOL_CONTRACTS)[keyof typeof TOOL_CONTRACTS]['input'], value: unknown) {
  const result = validate(schema, value);
  if (result.ok) throw new Error(`expected rejection of ${JSON.stringify(value)}`);
  return result;
}

function paths(result: { errors: { path: string }[] }): string[] {
  return result.errors.map((e) => e.path);
}

describe('formalize_task input', () => {
  const schema = TOOL_CONTRACTS.formalize_task.input;

  it('accepts a task with optional context and language, trimming the task', () => {
    expect(validate(schema, { task: '  sort a list ', language: 'python', context: 'x' })).toEqual({
      ok: true,
      value: { task: 'sort a list', language: 'python', context: 'x' },
    });
  });

  it('rejects a missing task with a field-level message', () => {
    const result = errorsOf(schema, {});
    expect(paths(result)).toEqual(['task']);
    expect(result.message).toMatch(/^task: /);
  });

  it('rejects an empty task with its own message', () => {
    expect(errorsOf(schema, { task: '   ' }).message).toBe('task: task must not be empty');
  });

  it('rejects mistyped fields, naming each', () => {
    const result = errorsOf(schema, { task: 42, language: ['py'] });
    expect(paths(result).sort()).toEqual(['language', 'task']);
  });

  it('rejects an unknown field', () => {
    const result = errorsOf(schema, { task: 't', temperature: 0.3 });
    expect(result.message).toContain('temperature');
  });
});

describe('generate_code input', () => {
  const schema = TOOL_CONTRACTS.generate_code.input;

  it('defaults the language to python', () => {
    expect(validate(schema, { task: 'add' })).toEqual({
      ok: true,
      value: { task: 'add', language: 'python' },
    });
  });

  it('accepts a spec instead of a task', () => {
    expect(validate(schema, { spec, language: 'go' }).ok).toBe(true);
  });

  it('rejects neither task nor spec, saying what to give', () => {
    const result = errorsOf(schema, { language: 'go' });
    expect(result.errors).toEqual([
      { path: 'task', message: 'give either "task" (a string) or "spec" (a formalize_task output)' },
    ]);
  });

  it('rejects a malformed spec at the exact field', () => {
    const result = errorsOf(schema, { spec: { ...spec, requirements: 'one' } });
    expect(paths(result)).toEqual(['spec.requirements']);
  });

  it('rejects an unknown field', () => {
    expect(errorsOf(schema, { task: 't', model: 'gpt' }).message).toContain('model');
  });
});

describe('review_code input', () => {
  const schema = TOOL_CONTRACTS.review_code.input;

  it('accepts code with a plain-words spec and focus list', () => {
    expect(validate(schema, { code: 'x = 1', spec: 'sets x', focus: ['style'] }).ok).toBe(true);
    expect(validate(schema, { code: 'x = 1', spec }).ok).toBe(true);
  });

  it('rejects missing or empty code', () => {
    expect(paths(errorsOf(schema, {}))).toEqual(['code']);
    expect(errorsOf(schema, { code: '' }).message).toBe('code: code must not be empty');
  });

  it('rejects oversize code', () => {
    const result = errorsOf(schema, { code: 'x'.repeat(MAX_REVIEW_CODE_CHARS + 1) });
    expect(paths(result)).toEqual(['code']);
    expect(result.message).toMatch(/1000000/);
  });

  it('rejects mistyped focus entries by index', () => {
    expect(paths(errorsOf(schema, { code: 'x', focus: ['ok', 3] }))).toEqual(['focus.1']);
  });
});

describe('outputs', () => {
  it('review output enforces the verdict enum and the score range', () => {
    const result = validate(TOOL_CONTRACTS.review_code.output, {
      summary: 's',
      verdict: 'maybe',
      score: 11,
      issues: [{ severity: 'high', message: 'm', line: 0 }],
    });
    expect(result.ok).toBe(false);
    expect(result.ok ? [] : paths(result).sort()).toEqual([
      'issues.0.line',
      'issues.0.severity',
      'score',
      'verdict',
    ]);
  });

  it('formalize and generate outputs accept well-formed values', () => {
    expect(validate(TOOL_CONTRACTS.formalize_task.output, spec).ok).toBe(true);
    expect(
      validate(TOOL_CONTRACTS.generate_code.output, {
        language: 'go',
        code: 'package main',
        explanation: 'e',
      }).ok,
    ).toBe(true);
  });
});

describe('JSON Schemas derived from the zod contracts', () => {
  it('mark required input fields and forbid unknown ones', () => {
    const formalize = TOOL_CONTRACTS.formalize_task.inputJsonSchema;
    expect(formalize).toMatchObject({ type: 'object', required: ['task'], additionalProperties: false });
    expect(formalize).not.toHaveProperty('$schema');
    expect(TOOL_CONTRACTS.review_code.inputJsonSchema).toMatchObject({ required: ['code'] });
  });

  it('show the generate_code language default and do not require it', () => {
    const schema = TOOL_CONTRACTS.generate_code.inputJsonSchema as {
      required?: string[];
      properties: Record<string, { default?: unknown }>;
    };
    expect(schema.required ?? []).not.toContain('language');
    expect(schema.properties.language?.default).toBe('python');
  });

  it('list every output field as required, with the review enums', () => {
    const review = TOOL_CONTRACTS.review_code.outputJsonSchema as {
      required: string[];
      properties: Record<string, Record<string, unknown>>;
    };
    expect(review.required.sort()).toEqual(['issues', 'score', 'summary', 'verdict']);
    expect(review.properties.verdict).toMatchObject({ enum: ['approve', 'request_changes'] });
    expect(review.properties.score).toMatchObject({ type: 'number', minimum: 0, maximum: 10 });
    expect(review.properties.issues).toMatchObject({
      type: 'array',
      items: {
        required: ['severity', 'message'],
        properties: { severity: { enum: ['critical', 'major', 'minor', 'info'] } },
      },
    });
    expect(TOOL_CONTRACTS.formalize_task.outputJsonSchema).toMatchObject({
      required: expect.arrayContaining([
        'title',
        'summary',
        'requirements',
        'acceptance_criteria',
        'open_questions',
      ]),
    });
  });

  it('describe fields for MCP clients', () => {
    const schema = TOOL_CONTRACTS.formalize_task.inputJsonSchema as {
      properties: Record<string, { description?: string }>;
    };
    expect(schema.properties.task?.description).toMatch(/plain words/);
  });
});

describe('tool registry and error codes', () => {
  it('names three read-only, open-world model tools and run_tests, read-only and closed-world', () => {
    expect(TOOL_NAMES).toEqual(['formalize_task', 'generate_code', 'review_code', 'run_tests']);
    expect(TOOL_CONTRACTS.run_tests.annotations).toMatchObject({ readOnlyHint: true, openWorldHint: false });
    for (const name of TOOL_NAMES.filter((tool) => tool !== 'run_tests')) {
      expect(TOOL_CONTRACTS[name].annotations).toMatchObject({
        readOnlyHint: true,
        destructiveHint: false,
        openWorldHint: true,
      });
    }
    expect(isToolName('review_code')).toBe(true);
    expect(isToolName('rm_rf')).toBe(false);
  });

  it('maps every error code to an HTTP status', () => {
    for (const code of ERROR_CODES) expect(HTTP_STATUS_BY_CODE[code]).toBeGreaterThanOrEqual(400);
    expect(HTTP_STATUS_BY_CODE.VALIDATION_FAILED).toBe(400);
  });
});

import { formalizeTaskOutputSchema, reviewCodeOutputSchema } from '@app/contracts';
import { z } from 'zod';
import { parseStructured } from './parse-structured';

const review = (body: string): string => `Here is my review:\n${body}`;

describe('parseStructured', () => {
  it('accepts a clean review', () => {
    const result = parseStructured(
      '{"summary": "ok", "verdict": "approve", "score": 9, "issues": []}',
      reviewCodeOutputSchema,
    );
    expect(result).toEqual({
      ok: true,
      value: { summary: 'ok', verdict: 'approve', score: 9, issues: [] },
      repairs: [],
    });
  });

  it('normalises enum spelling, numbers in strings and nulls in optional fields', () => {
    const result = parseStructured(
      review(
        '{"summary": "s", "verdict": "Request Changes", "score": "4/10", "issues": [{"severity": "Major", "line": "3", "message": "m", "suggestion": null}]}',
      ),
      reviewCodeOutputSchema,
    );
    expect(result.ok && result.value).toEqual({
      summary: 's',
      verdict: 'request_changes',
      score: 4,
      issues: [{ severity: 'major', line: 3, message: 'm' }],
    });
    expect(result.ok && result.repairs).toEqual([
      'surrounding_text',
      'enum_value@verdict',
      'number_from_fraction@score',
      'enum_value@issues.0.severity',
      'number_from_string@issues.0.line',
      'dropped_null@issues.0.suggestion',
    ]);
  });

  it('maps "approved" to approve and unwraps a wrapper object', () => {
    const result = parseStructured(
      '{"result": {"summary": "fine", "verdict": "Approved", "score": 8, "issues": null}}',
      reviewCodeOutputSchema,
    );
    expect(result).toMatchObject({ ok: true, value: { verdict: 'approve', issues: [] } });
  });

  it('turns a single string into a list and fills omitted lists', () => {
    const result = parseStructured(
      '{"title": "t", "summary": "s", "requirements": "do it", "acceptance_criteria": [], "constraints": []}',
      formalizeTaskOutputSchema,
    );
    expect(result).toMatchObject({
      ok: true,
      value: { requirements: ['do it'], assumptions: [], open_questions: [] },
    });
  });

  it('lists every failing field when the JSON has the wrong shape', () => {
    const result = parseStructured(
      '{"summary": 1, "verdict": "maybe", "score": 11, "issues": []}',
      reviewCodeOutputSchema,
    );
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toMatch(/^the JSON does not match the expected shape: /);
    expect(!result.ok && result.error).toMatch(/verdict: /);
    expect(!result.ok && result.error).toMatch(/score: /);
  });

  it('passes JSON errors through', () => {
    expect(parseStructured('no json', z.object({ a: z.string() }))).toEqual({
      ok: false,
      error: expect.stringMatching(/no JSON object/),
    });
  });

  it('leaves ambiguous enum values and wordy numbers for zod to reject', () => {
    const schema = z.object({ level: z.enum(['low', 'lower']), n: z.number(), flag: z.boolean() });
    const result = parseStructured('{"level": "lo", "n": "about seven", "flag": "TRUE"}', schema);
    expect(!result.ok && result.error).toMatch(/level: .*; n: /);
  });

  it('renames look-alike keys instead of unwrapping a nested object', () => {
    const result = parseStructured(
      '{"Summary": "s", "Verdict": "approve", "Score": 8, "Issues": [], "meta": {"model": "x"}}',
      reviewCodeOutputSchema,
    );
    expect(result).toMatchObject({
      ok: true,
      value: { summary: 's', verdict: 'approve', score: 8, issues: [] },
    });
    expect(result.ok && result.repairs).toContain('renamed_key:Verdict@verdict');
  });

  it('rescales a fraction to the schema maximum and reads strings written as objects', () => {
    const result = parseStructured(
      '{"title": "t", "summary": "s", "requirements": [{"requirement": "a"}, {"id": "R2", "description": "b"}], ' +
        '"acceptance_criteria": [{"id": 1, "check": "c"}]}',
      formalizeTaskOutputSchema,
    );
    expect(result).toMatchObject({ ok: true, value: { requirements: ['a', 'b'] } });
    expect(result.ok && result.value.acceptance_criteria).toEqual(['c']);
    const review = parseStructured(
      '{"summary": "s", "verdict": "approve", "score": "85/100", "issues": []}',
      reviewCodeOutputSchema,
    );
    expect(review).toMatchObject({
      ok: true,
      value: { score: 8.5 },
      repairs: ['number_from_fraction@score'],
    });
  });

  it('leaves objects without a clear text field and fractions without a maximum for zod to reject', () => {
    const schema = z.object({ items: z.array(z.string()), n: z.number() });
    const result = parseStructured('{"items": [{"a": "x", "b": "y"}], "n": "3/4"}', schema);
    expect(!result.ok && result.error).toMatch(/items\.0: .*; n: /);
  });
});

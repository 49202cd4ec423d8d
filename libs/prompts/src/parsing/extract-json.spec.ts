import { extractJson } from './extract-json';
import { parseLenientJson } from './lenient-json';

function ok(text: string): { value: unknown; repairs: string[] } {
  const result = extractJson(text);
  if (!result.ok) throw new Error(`expected success, got: ${result.error}`);
  return result;
}

function failure(text: string): string {
  const result = extractJson(text);
  if (result.ok) throw new Error(`expected failure, got ${JSON.stringify(result.value)}`);
  return result.error;
}

describe('extractJson', () => {
  it.each([
    ['strict object', '{"a": 1, "b": [true, null, "x"]}', { a: 1, b: [true, null, 'x'] }, []],
    ['strict array', '[1, 2.5, -3e2]', [1, 2.5, -300], []],
    ['nested escapes', '{"s": "line\\nbreak \\"q\\" \\u00e9 \\\\"}', { s: 'line\nbreak "q" é \\' }, []],
    ['prose around', 'Sure! Here it is:\n{"a": 1}\nHope this helps.', { a: 1 }, ['surrounding_text']],
    ['fenced', 'Result:\n```json\n{"a": 1}\n```\n', { a: 1 }, ['code_fence']],
    ['trailing commas', '{"a": [1, 2,], "b": 3,}', { a: [1, 2], b: 3 }, ['trailing_comma']],
    ['single quotes', "{'a': 'it's fine'}", { a: "it's fine" }, ['single_quotes', 'unescaped_quotes']],
    ['smart quotes', '{\u201ca\u201d: \u201cb\u201d}', { a: 'b' }, ['smart_quotes']],
    ['comments', '{\n  // the answer\n  "a": 1, /* inline */ "b": 2\n}', { a: 1, b: 2 }, ['comments']],
    ['unquoted keys', '{a: 1, b_c: "x"}', { a: 1, b_c: 'x' }, ['unquoted_keys']],
    [
      'python literals',
      '{"a": True, "b": False, "c": None}',
      { a: true, b: false, c: null },
      ['python_literals'],
    ],
    ['truncated string', '{"a": "hello wor', { a: 'hello wor' }, ['truncation']],
    ['truncated array', '{"a": [1, 2', { a: [1, 2] }, ['truncation']],
    ['truncated after key', '{"a": 1, "b":', { a: 1 }, ['truncation']],
    ['truncated literal', '{"a": tr', { a: true }, ['truncation']],
    ['missing comma', '{"a": 1\n "b": 2}', { a: 1, b: 2 }, ['missing_comma']],
    [
      'raw newline in string',
      '{"code": "def f():\n    return 1"}',
      { code: 'def f():\n    return 1' },
      ['control_characters'],
    ],
    ['invalid escape', '{"re": "\\d+"}', { re: '\\d+' }, ['invalid_escapes']],
    ['unescaped inner quotes', '{"m": "use "foo" here"}', { m: 'use "foo" here' }, ['unescaped_quotes']],
  ])('%s', (_name, text, value, repairs) => {
    const result = ok(text);
    expect(result.value).toEqual(value);
    expect([...result.repairs].sort()).toEqual([...repairs].sort());
  });

  it('prefers the widest JSON value over brackets in prose', () => {
    expect(ok('Step [1]: the answer is {"a": [1, 2]} as shown.').value).toEqual({ a: [1, 2] });
  });

  it('keeps a __proto__ key as data', () => {
    const value = ok('{"__proto__": {"x": 1}}').value as Record<string, unknown>;
    expect(Object.keys(value)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
  });

  it('explains where the JSON broke, with line and column', () => {
    expect(failure('{\n  "a": 1,\n  "b" 2\n}')).toBe(
      `invalid JSON: expected ':' after the key "b" at line 3 col 7 (found "2")`,
    );
  });

  it('says when there is no JSON at all', () => {
    expect(failure('I cannot help with that.')).toMatch(/no JSON object or array found/);
  });

  it('rejects bare words as values', () => {
    expect(failure('{"a": maybe}')).toMatch(/expected a value .* at line 1 col 7 \(found "m"\)/);
  });

  it('exposes the parse end for callers that scan further', () => {
    expect(parseLenientJson('xx[1] tail', 2).end).toBe(5);
  });
});

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
    ['truncated before a number', '{"a": [1, -', { a: [1] }, ['truncation']],
    ['truncated before a member number', '{"a": 1, "b": -', { a: 1 }, ['truncation']],
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

  it('reports the break in a broken array instead of returning one of its elements', () => {
    const broken = JSON.stringify([{ id: 1 }, { id: 2 }, { id: 3 }]).replace('{"id":3}', '{"id":3 oops}');
    expect(failure(broken)).toBe(
      'invalid JSON: expected \':\' after the key "oops" at line 1 col 32 (found "}")',
    );
  });

  it('finds the JSON after many bracketed words in prose', () => {
    expect(ok(`${'see [note] '.repeat(40)}{"a": [1,]}`).value).toEqual({ a: [1] });
  });

  it('refuses absurd nesting instead of overflowing the stack', () => {
    expect(failure('['.repeat(10_000))).toMatch(/expected at most 256 levels of nesting/);
  });

  it('keeps an invalid \\u escape as text', () => {
    expect(ok('{"a": "\\uZZ", "b": 1,}').value).toEqual({ a: '\\uZZ', b: 1 });
  });
});

/** Deterministic pseudo-random JSON values: the lenient parser must read strict JSON exactly as JSON.parse does. */
function randomValue(seed: { n: number }, depth: number): unknown {
  seed.n = (seed.n * 1103515245 + 12345) % 2 ** 31;
  const pick = seed.n % (depth > 3 ? 5 : 7);
  const strings = [
    '',
    'plain',
    'quote " and \\ backslash',
    'tab\tnewline\n',
    'unicode é ✓ 🚀',
    "it's",
    '\u0001',
  ];
  if (pick === 0) return null;
  if (pick === 1) return seed.n % 2 === 0;
  if (pick === 2) return ((seed.n % 20001) - 10000) / (seed.n % 3 === 0 ? 7 : 1);
  if (pick === 3 || pick === 4) return strings[seed.n % strings.length];
  if (pick === 5) return Array.from({ length: seed.n % 4 }, () => randomValue(seed, depth + 1));
  const entries = Array.from({ length: seed.n % 4 }, (_, i) => [
    `k${i}${strings[i] ?? ''}`,
    randomValue(seed, depth + 1),
  ]);
  return Object.fromEntries(entries);
}

describe('parseLenientJson on strict JSON', () => {
  it('agrees with JSON.parse and reports no repairs (300 random documents)', () => {
    const seed = { n: 42 };
    for (let i = 0; i < 300; i++) {
      const value = { root: randomValue(seed, 0) };
      const text = JSON.stringify(value, null, i % 2 === 0 ? 2 : undefined);
      const parsed = parseLenientJson(text);
      expect(parsed.value).toEqual(JSON.parse(text));
      expect(parsed.repairs).toEqual([]);
      expect(parsed.end).toBe(text.length);
    }
  });
});

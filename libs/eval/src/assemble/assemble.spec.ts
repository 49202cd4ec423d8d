import type { EvalProblem } from '../datasets/problem';
import { assemblerFor } from './assemblers';
import { indentBody } from './python.assembler';

const python: EvalProblem = {
  taskId: 'T/0',
  language: 'python',
  prompt: 'import math\n\n\ndef area(r):\n    """Area of a circle."""\n',
  entryPoint: 'area',
  tests: 'assert area(1) == math.pi\n',
  failOnOutput: false,
};

const js: EvalProblem = {
  taskId: 'J/0',
  language: 'javascript',
  prompt: '/* helper */\nconst twice = (x) => x * 2;\n\n/* quadruple */\nconst quad = (x) => {\n',
  entryPoint: 'quad',
  tests: 'console.assert(quad(1) === 4)\n',
  failOnOutput: true,
};

describe('program assemblers', () => {
  it('python: a body goes after the prompt, re-indented when the model dedented it', () => {
    const body = assemblerFor('python').assemble(python, 'return math.pi * r * r');
    expect(body).toMatchObject({ ok: true, shape: 'body' });
    expect(body.ok && body.code).toBe(`${python.prompt}    return math.pi * r * r\n`);
    expect(indentBody('x = r\n        return x')).toBe('    x = r\n        return x');
    expect(indentBody('if r:\n    return 1')).toBe('    if r:\n        return 1');
  });

  it('python: a whole function follows the prompt and replaces its docstring-only def', () => {
    const whole = assemblerFor('python').assemble(python, 'def area(r):\n    return math.pi * r ** 2');
    expect(whole).toMatchObject({ ok: true, shape: 'function' });
    expect(whole.ok && whole.code.startsWith(python.prompt)).toBe(true);
  });

  it('counts an empty answer as no code', () => {
    expect(assemblerFor('python').assemble(python, ' \n\t')).toEqual({
      ok: false,
      message: 'the answer contains no code',
    });
    expect(assemblerFor('typescript').assemble(js, '')).toMatchObject({ ok: false });
  });

  it('javascript: a body that forgot the closing brace gets it', () => {
    const body = assemblerFor('javascript').assemble(js, '  return twice(twice(x));');
    expect(body.ok && body.code).toBe(`${js.prompt}  return twice(twice(x));\n}\n`);
    const closed = assemblerFor('javascript').assemble(js, '  return twice(twice(x));\n}');
    expect(closed.ok && closed.code).toBe(`${js.prompt}  return twice(twice(x));\n}\n`);
  });

  it('javascript: a whole function keeps the prompt helpers unless it redeclares them; export is dropped', () => {
    const alone = assemblerFor('javascript').assemble(js, 'export const quad = (x) => twice(twice(x));');
    expect(alone).toMatchObject({ ok: true, shape: 'function' });
    expect(alone.ok && alone.code).toBe(
      '/* helper */\nconst twice = (x) => x * 2;\n\n/* quadruple */\nconst quad = (x) => twice(twice(x));\n',
    );
    const clash = assemblerFor('javascript').assemble(
      js,
      'const twice = (x) => x + x;\nfunction quad(x) { return twice(twice(x)); }',
    );
    expect(clash.ok && clash.code).toBe(
      'const twice = (x) => x + x;\nfunction quad(x) { return twice(twice(x)); }\n',
    );
  });

  it('typescript: parses type annotations when deciding about the closing brace', () => {
    const ts: EvalProblem = {
      ...js,
      language: 'typescript',
      prompt: 'function len(s: string): number {\n',
      entryPoint: 'len',
    };
    const body = assemblerFor('typescript').assemble(ts, '  const n: number = s.length;\n  return n;');
    expect(body.ok && body.code.endsWith('return n;\n}\n')).toBe(true);
  });
});

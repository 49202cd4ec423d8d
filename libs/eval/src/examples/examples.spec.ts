import { join } from 'node:path';
import { loadDataset } from '../datasets/catalog';
import { ecmaScriptExampleTests, findEcmaScriptExamples } from './ecmascript-examples';
import { findPythonExamples, pythonExampleTests } from './python-examples';

describe('docstring examples → tests (verified mode)', () => {
  it('reads doctest and arrow spellings, leaving prose out', () => {
    const prompt = [
      'def f(xs, n):',
      '    """',
      '    >>> f([1, 2], 3)',
      '    [1, 2, 3]',
      '    f([4], 1) ➞ [4, 1]',
      '    For example: f([], 0) == []',
      "    f('a', 2) returns 'aa'.",
      '    f(x) = something the prose defines',
      '    >>> f([5],',
      '    """',
    ].join('\n');
    expect(findPythonExamples(prompt, 'f')).toEqual([
      { args: '[1, 2], 3', expected: '[1, 2, 3]' },
      { args: '[4], 1', expected: '[4, 1]' },
      { args: '[], 0', expected: '[]' },
      { args: "'a', 2", expected: "'aa'" },
      { args: 'x', expected: 'something the prose defines' },
    ]);
    const program = pythonExampleTests(prompt, 'f', (source) => source !== 'f([4], 1)');
    expect(program).toContain('_check_examples(f, [');
    expect(program).not.toContain('[4], 1');
  });

  it('finds examples in most HumanEval prompts and never shows the hidden tests', async () => {
    const problems = await loadDataset('humaneval', join(process.cwd(), 'eval', 'datasets'));
    const withExamples = problems.filter((p) => p.exampleTests !== undefined);
    expect(withExamples.length).toBeGreaterThanOrEqual(130);
    for (const p of withExamples) expect(p.exampleTests).not.toContain('def check(');
  });

  it('turns MultiPL-E comment examples into node:assert checks, dropping ones that do not parse', () => {
    const prompt =
      '//Length\n// >>> strlen("abc")\n// 3\n// >>> strlen(\n// oops\nfunction strlen(string){\n';
    expect(findEcmaScriptExamples(prompt)).toEqual([{ call: 'strlen("abc")', expected: '3' }]);
    expect(ecmaScriptExampleTests(prompt, 'typescript')).toContain('declare var require: any;');
    expect(ecmaScriptExampleTests(prompt, 'javascript')).toContain(
      'example("strlen(\\"abc\\")", strlen("abc"), 3);',
    );
  });
});

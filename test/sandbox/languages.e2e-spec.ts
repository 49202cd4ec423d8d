import type { CodeSandbox } from '@app/sandbox';
import { testSandbox } from './support';

/**
 * Real bubblewrap, real python3 and node: the code and its tests run as one program and the outcome
 * (status, exit code, failures parsed from the output) is what a user of run_tests sees.
 */
describe('CodeSandbox runs code with its tests (python, javascript, typescript)', () => {
  let sandbox: CodeSandbox;
  beforeAll(async () => {
    sandbox = await testSandbox();
  });

  const PY_ADD = 'def add(a, b):\n    return a + b\n';
  const PY_WRONG = 'def add(a, b):\n    return a - b\n';

  it('python: plain asserts pass, and a failing assert names the check and the message', async () => {
    const tests = 'assert add(1, 2) == 3, "add(1, 2) should be 3"\nprint("ok")';
    const passed = await sandbox.run({ language: 'python', code: PY_ADD, tests });
    expect(passed).toMatchObject({
      passed: true,
      status: 'passed',
      exit_code: 0,
      stdout: 'ok\n',
      failures: [],
    });
    const failed = await sandbox.run({ language: 'python', code: PY_WRONG, tests });
    expect(failed).toMatchObject({ passed: false, status: 'failed', exit_code: 1 });
    expect(failed.failures).toHaveLength(1);
    expect(failed.failures[0]?.message).toContain('AssertionError: add(1, 2) should be 3');
    expect(failed.failures[0]?.message).toContain('assert add(1, 2) == 3');
    expect(failed.failures[0]?.message).toContain(
      'AssertionError details: add(1, 2) returned -1, expected 3',
    );
    expect(failed.stderr).toContain('Traceback');
  });

  it('python: pytest-style test functions and unittest cases are run and each failure is named', async () => {
    const tests = [
      'import unittest',
      'def test_small():\n    assert add(1, 2) == 3',
      'def test_zero():\n    assert add(0, 0) == 0',
      'class AddTest(unittest.TestCase):\n    def test_negative(self):\n        self.assertEqual(add(-1, -1), -2)',
    ].join('\n\n');
    expect((await sandbox.run({ language: 'python', code: PY_ADD, tests })).status).toBe('passed');
    const failed = await sandbox.run({ language: 'python', code: PY_WRONG, tests });
    expect(failed.status).toBe('failed');
    const names = failed.failures.map((failure) => failure.name);
    expect(names).toEqual(expect.arrayContaining(['test_small', 'test_negative']));
    expect(names).not.toContain('test_zero');
    expect(failed.failures.find((f) => f.name === 'test_negative')?.message).toContain(
      'AssertionError: 0 != -2',
    );
  });

  it('python: a syntax error is status error with the line', async () => {
    const result = await sandbox.run({
      language: 'python',
      code: 'def add(a, b) return a',
      tests: 'assert add(1, 2) == 3',
    });
    expect(result.status).toBe('error');
    expect(result.failures[0]?.message).toMatch(/^SyntaxError: .*\(line 1: def add\(a, b\) return a\)/);
  });

  it('javascript: node:assert passes and fails with expected vs actual', async () => {
    const tests =
      'const assert = require("node:assert");\nassert.strictEqual(add(1, 2), 3);\nconsole.log("ok");';
    const passed = await sandbox.run({
      language: 'javascript',
      code: 'function add(a, b) { return a + b; }',
      tests,
    });
    expect(passed).toMatchObject({ passed: true, status: 'passed', stdout: 'ok\n' });
    const failed = await sandbox.run({
      language: 'javascript',
      code: 'function add(a, b) { return a - b; }',
      tests,
    });
    expect(failed.status).toBe('failed');
    expect(failed.failures[0]?.message).toContain(
      'AssertionError [ERR_ASSERTION]: Expected values to be strictly equal',
    );
    expect(failed.failures[0]?.message).toContain('-1 !== 3');
  });

  it('javascript: ES module syntax runs as a module', async () => {
    const tests = 'import assert from "node:assert";\nassert.deepStrictEqual(pair(1), [1, 1]);';
    const result = await sandbox.run({
      language: 'javascript',
      code: 'export const pair = (x) => [x, x];',
      tests,
    });
    expect(result).toMatchObject({ status: 'passed' });
  });

  it('typescript: types are stripped and run; a failing check is reported; a syntax error is the compiler message', async () => {
    const code = 'function add(a: number, b: number): number {\n  return a + b;\n}\n';
    const tests = 'import assert from "node:assert";\nassert.strictEqual(add(2, 2), 4);';
    expect((await sandbox.run({ language: 'typescript', code, tests })).status).toBe('passed');
    const failing = await sandbox.run({ language: 'typescript', code, tests: tests.replace('4)', '5)') });
    expect(failing.status).toBe('failed');
    expect(failing.failures[0]?.message).toContain('4 !== 5');
    const broken = await sandbox.run({
      language: 'typescript',
      code: 'function add(a: number, b: number) { return a + }',
      tests,
    });
    expect(broken).toMatchObject({ passed: false, status: 'error', exit_code: null });
    expect(broken.failures[0]?.message).toMatch(/main\.ts\(1,\d+\): error TS1109: Expression expected/);
  });
});

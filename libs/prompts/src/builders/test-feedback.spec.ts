import type { RunTestsOutput } from '@app/contracts';
import { buildTestFeedbackMessages, describeTestRun } from './test-feedback';

const run = (overrides: Partial<RunTestsOutput>): RunTestsOutput => ({
  passed: false,
  status: 'failed',
  exit_code: 1,
  duration_ms: 40,
  stdout: '',
  stderr: '',
  truncated: { stdout: false, stderr: false },
  failures: [],
  ...overrides,
});

describe('describeTestRun: what the code model gets back from a failed run', () => {
  it('names each failure and adds the last lines of the output, not the whole log', () => {
    const stderr = Array.from({ length: 200 }, (_, i) => `log line ${i}`).join('\n');
    const failures = Array.from({ length: 8 }, (_, i) => ({
      name: `test_${i}`,
      message: `AssertionError: ${i} != ${i + 1}`,
    }));
    const text = describeTestRun(run({ stderr, failures }));
    expect(text).toContain('The tests failed (exit code 1):');
    expect(text).toContain('- test_0: AssertionError: 0 != 1');
    expect(text).toContain('- test_4: AssertionError: 4 != 5');
    expect(text).not.toContain('test_5'); // first five failures only
    expect(text).toContain('log line 199');
    expect(text).not.toContain('log line 150');
  });

  it('a timeout says what to look for; a compile error says nothing ran', () => {
    expect(
      describeTestRun(
        run({ status: 'timeout', exit_code: null, failures: [{ message: 'timed out after 5 s' }] }),
      ),
    ).toMatch(/^The tests did not finish in time: look for an infinite loop/);
    const compile = describeTestRun(
      run({
        status: 'error',
        exit_code: null,
        failures: [{ name: 'compile', message: "main.ts(1,5): error TS1005: ';' expected." }],
      }),
    );
    expect(compile).toContain('did not compile');
    expect(compile).toContain("- compile: main.ts(1,5): error TS1005: ';' expected.");
  });

  it('the repair turn keeps only the latest attempt after the original request', () => {
    const original = [
      { role: 'system' as const, content: 'sys' },
      { role: 'user' as const, content: 'task' },
    ];
    const messages = buildTestFeedbackMessages(original, 'def f(): pass', 'python', 'The tests failed');
    expect(messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user']);
    expect(messages[2]?.content).toBe('```python\ndef f(): pass\n```');
    expect(messages[3]?.content).toContain('The tests failed');
  });
});

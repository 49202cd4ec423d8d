import type { EvalProblem } from '../datasets/problem';
import type { ProgramRequest, ProgramRun, ProgramRunner } from '../execution/program-runner';
import type { CodeSource, Generation } from '../generation/code-source';
import { judgeRun } from './classify';
import { evaluate } from './evaluate';
import type { TaskResult } from './task-result';

const problem = (i: number): EvalProblem => ({
  taskId: `T/${i}`,
  language: 'python',
  prompt: `def f${i}():\n`,
  entryPoint: `f${i}`,
  tests: `check(f${i})\n`,
  failOnOutput: false,
});

const run = (over: Partial<ProgramRun>): ProgramRun => ({
  passed: false,
  status: 'failed',
  exit_code: 1,
  duration_ms: 5,
  stdout: '',
  stderr: '',
  failures: [],
  ...over,
});

/** Answers by index: 'ok' passes, 'bad' fails, 'none' is no code, 'down' a model error. */
function scriptedSource(
  answers: string[],
  delayMs = 0,
): CodeSource & { inFlight: number; maxInFlight: number } {
  return {
    mode: 'direct',
    inFlight: 0,
    maxInFlight: 0,
    async generate(p, signal): Promise<Generation> {
      this.inFlight++;
      this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      this.inFlight--;
      signal.throwIfAborted();
      const answer = answers[Number(p.taskId.slice(2))];
      if (answer === 'down') throw new Error('connection refused');
      if (answer === 'none') return { ok: false, status: 'no_code', detail: 'prose only', latencyMs: 1 };
      return { ok: true, code: `    return "${answer}"`, latencyMs: 1 };
    },
  };
}

/** Decides by what the assembled program returns: the real sandbox is exercised in test/eval. */
const judgeByText: ProgramRunner = {
  async run(request: ProgramRequest) {
    return request.code.includes('"ok"')
      ? run({ passed: true, status: 'passed', exit_code: 0 })
      : run({ stderr: 'AssertionError' });
  },
};

const base = { runner: judgeByText, concurrency: 2, timeoutSeconds: 5, signal: new AbortController().signal };

describe('evaluate', () => {
  it('scores every problem and reports each as it finishes', async () => {
    const seen: TaskResult[] = [];
    const source = scriptedSource(['ok', 'bad', 'none', 'down', 'ok'], 5);
    const results = await evaluate({
      ...base,
      problems: [0, 1, 2, 3, 4].map(problem),
      source,
      onResult: (r) => void seen.push(r),
    });
    expect(seen).toHaveLength(5);
    const byId = Object.fromEntries(results.map((r) => [r.task_id, r.status]));
    expect(byId).toEqual({
      'T/0': 'passed',
      'T/1': 'wrong_answer',
      'T/2': 'no_code',
      'T/3': 'model_error',
      'T/4': 'passed',
    });
    expect(source.maxInFlight).toBe(2);
  });

  it('stops on abort and keeps only what finished', async () => {
    const controller = new AbortController();
    const seen: TaskResult[] = [];
    const source = scriptedSource(
      Array.from({ length: 20 }, () => 'ok'),
      20,
    );
    const onResult = (r: TaskResult) => {
      seen.push(r);
      if (seen.length === 3) controller.abort();
    };
    const problems = Array.from({ length: 20 }, (_, i) => problem(i));
    const results = await evaluate({ ...base, signal: controller.signal, problems, source, onResult });
    expect(results.length).toBeGreaterThanOrEqual(3);
    expect(results.length).toBeLessThan(6);
  });

  it('stops the run when the sandbox itself fails (not counted against the model)', async () => {
    const broken: ProgramRunner = {
      run: () => Promise.reject(new Error('SANDBOX_UNAVAILABLE: bwrap is gone')),
    };
    const problems = [0, 1, 2, 3].map(problem);
    await expect(
      evaluate({
        ...base,
        runner: broken,
        problems,
        source: scriptedSource(['ok', 'ok', 'ok', 'ok']),
        onResult: () => undefined,
      }),
    ).rejects.toThrow(/bwrap is gone/);
  });
});

describe('judgeRun', () => {
  const p = problem(0);
  it('maps sandbox outcomes to failure reasons', () => {
    expect(judgeRun(p, run({ status: 'timeout', duration_ms: 2000 }))).toEqual({
      status: 'timeout',
      detail: 'no result within 2000 ms',
    });
    expect(
      judgeRun(p, run({ status: 'error', stderr: '  File "main.py", line 3\nSyntaxError: invalid syntax' }))
        .status,
    ).toBe('compile_error');
    expect(
      judgeRun(p, run({ status: 'error', stderr: "main.ts(3,1): error TS1005: '}' expected." })).status,
    ).toBe('compile_error');
    expect(judgeRun(p, run({ failures: [{ message: 'AssertionError: f(1) == 2' }] }))).toEqual({
      status: 'wrong_answer',
      detail: 'AssertionError: f(1) == 2',
    });
  });

  it('fails a HumanEval-X program that printed anything, as CodeGeeX does', () => {
    const x = { ...p, failOnOutput: true };
    const printed = run({ passed: true, status: 'passed', exit_code: 0, stderr: 'Assertion failed' });
    expect(judgeRun(x, printed)).toEqual({ status: 'wrong_answer', detail: 'Assertion failed' });
    expect(judgeRun(p, printed).status).toBe('passed');
  });
});

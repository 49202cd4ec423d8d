import { Logger } from '@nestjs/common';
import { AgentOrchestrator } from '../../../apps/agent/src/core/agent-orchestrator.service';
import { RunRecord } from '../../../apps/agent/src/runs/run-record';
import {
  DEFAULT_HANDLERS,
  FakePlanner,
  FakeToolGateway,
  SAMPLE_CODE,
  textCall,
  type ToolHandler,
} from '../support/fakes';
import { testSettings } from '../support/settings';

const FAILED_RUN = {
  passed: false,
  status: 'failed',
  exit_code: 1,
  duration_ms: 30,
  stdout: '',
  stderr: 'AssertionError',
  truncated: { stdout: false, stderr: false },
  failures: [{ message: 'AssertionError (line 3: assert add(2, 3) == 6)' }],
};

/** generate_code that never passes: the verification a gateway reports after its repair rounds. */
const neverPasses: ToolHandler = (args) => {
  const output = args.tests
    ? { ...SAMPLE_CODE, verification: { status: 'failed', rounds: 3, last_run: FAILED_RUN } }
    : { ...SAMPLE_CODE, code: 'assert add(2, 3) == 6' }; // the code model writing (wrong) tests
  return { ok: true, structured: output, text: JSON.stringify(output) };
};

async function run(task: string, script: ReturnType<typeof textCall>[]) {
  const gateway = new FakeToolGateway({ ...DEFAULT_HANDLERS, generate_code: neverPasses });
  const record = new RunRecord({ task, language: 'python' });
  await new AgentOrchestrator(new FakePlanner(script), gateway, testSettings()).execute(record);
  return { view: record.view(), gateway };
}

beforeAll(() => {
  Logger.overrideLogger(false);
});

describe('what a run does with its tests', () => {
  const generate = textCall('generate_code', { task: 'add', language: 'python' });

  it('code that keeps failing self-written tests: stopped and recorded, not looped', async () => {
    const { view, gateway } = await run('write add(a, b)', [generate, generate, generate, generate]);
    expect(view.result?.outcome).toBe('self_tests_failing');
    expect(view.status).toBe('failed');
    expect(view.steps).toHaveLength(2);
    expect(view.result?.tests?.source).toBe('generated');
    expect(view.result?.verification).toMatchObject({
      status: 'failed',
      tests_source: 'generated',
      note: expect.stringContaining('may themselves be wrong'),
    });
    expect(view.error?.message).toContain('the tests may be wrong');
    // the tests were written once, not once per generate_code call
    expect(gateway.calls.filter((c) => c.name === 'generate_code' && !c.args.tests)).toHaveLength(1);
  });

  it("the task's examples become the tests; failing them means the run did not succeed", async () => {
    const task = 'Write add(a, b).\nExamples:\n>>> add(2, 3)\n5\nadd(1, 1) == 2';
    const { view, gateway } = await run(task, [generate, textCall('final_answer', { answer: 'done' })]);
    expect(view.result?.tests).toEqual({
      source: 'examples',
      code: 'assert add(2, 3) == 5, "add(2, 3) should be 5"\nassert add(1, 1) == 2, "add(1, 1) should be 2"',
    });
    expect(gateway.calls).toHaveLength(1); // no test-writing call
    expect(view).toMatchObject({ status: 'failed', result: { outcome: 'tests_failed' } });
  });

  it("the user's own tests (a fenced block of asserts in the task) are used as given", async () => {
    const task = 'Write add(a, b). My tests:\n```python\nassert add(2, 2) == 4\n```';
    const { view } = await run(task, [generate, textCall('final_answer', { answer: 'done' })]);
    expect(view.result?.tests).toEqual({ source: 'user', code: 'assert add(2, 2) == 4' });
  });
});

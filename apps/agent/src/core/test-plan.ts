import { buildTestWritingTask, extractTestsFromTask, normalizeLanguage } from '@app/prompts';
import type { ToolCallOptions, ToolSession } from '../tools/tool-gateway';
import type { RunTests } from './agent.types';
import type { BestResultTracker } from './best-result';

const EXECUTABLE = ['python', 'javascript', 'typescript'];

/** The generated test program: generate_code's `code` field. */
function codeOf(structured: unknown): string | undefined {
  const code = (structured as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && code.trim() !== '' ? code : undefined;
}

/**
 * The tests of one run, prepared once when code is first generated: the user's (in the task), the
 * task's examples, or — failing both — written by the code model from the acceptance criteria.
 * None when the gateway cannot run tests (no run_tests tool) or the language cannot be executed.
 */
export class TestPlan {
  private prepared?: Promise<RunTests | undefined>;

  constructor(
    private readonly task: string,
    private readonly session: ToolSession,
    private readonly best: BestResultTracker,
  ) {}

  get executionAvailable(): boolean {
    return this.session.tools.some((tool) => tool.name === 'run_tests');
  }

  /** Tests for code in `language`; undefined when they cannot be run. Prepared at most once per run. */
  ensure(language: string, options: ToolCallOptions): Promise<RunTests | undefined> {
    if (!this.executionAvailable || !EXECUTABLE.includes(normalizeLanguage(language)))
      return Promise.resolve(undefined);
    this.prepared ??= this.prepare(normalizeLanguage(language), options).then((tests) => {
      if (tests) this.best.recordTests(tests);
      else this.prepared = undefined; // the code model failed to write tests: try again on the next generate_code
      return tests;
    });
    return this.prepared;
  }

  private async prepare(language: string, options: ToolCallOptions): Promise<RunTests | undefined> {
    const fromTask = extractTestsFromTask(this.task, language);
    if (fromTask) return fromTask;
    const task = buildTestWritingTask(this.task, language, this.best.latestSpec);
    const observation = await this.session.call('generate_code', { task, language }, options);
    const code = observation.ok ? codeOf(observation.structured) : undefined;
    return code === undefined ? undefined : { source: 'generated', code };
  }
}

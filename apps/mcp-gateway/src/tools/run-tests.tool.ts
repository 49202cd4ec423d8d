import type { RunTestsInput, RunTestsOutput } from '@app/contracts';
import { CodeSandbox } from '@app/sandbox';
import { Injectable } from '@nestjs/common';
import type { ToolHandler, ToolRunContext } from './tool.types';

/** run_tests: the code followed by its tests, executed in the sandbox; the outcome is the output. */
@Injectable()
export class RunTestsTool implements ToolHandler<RunTestsInput, RunTestsOutput> {
  readonly name = 'run_tests';

  constructor(private readonly sandbox: CodeSandbox) {}

  run(input: RunTestsInput, context: ToolRunContext): Promise<RunTestsOutput> {
    const { language, code, tests, timeout_seconds: timeoutSeconds } = input;
    return this.sandbox.run({ language, code, tests, timeoutSeconds }, context.signal);
  }
}

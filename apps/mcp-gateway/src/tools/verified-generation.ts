import {
  DEFAULT_REPAIR_ROUNDS,
  type ChatMessage,
  type ExecutableLanguage,
  type GenerateCodeInput,
  type GenerateCodeOutput,
  type RunTestsOutput,
} from '@app/contracts';
import { buildTestFeedbackMessages, describeTestRun, normalizeLanguage } from '@app/prompts';
import { CodeSandbox } from '@app/sandbox';
import { Injectable } from '@nestjs/common';
import type { ToolRunContext } from './tool.types';

/** One model call: messages in, parsed code out (throws when the answer holds no usable code). */
export type GenerateOnce = (messages: ChatMessage[]) => Promise<GenerateCodeOutput>;

interface Attempt {
  output: GenerateCodeOutput;
  run: RunTestsOutput;
}

const EXECUTABLE: readonly string[] = ['python', 'javascript', 'typescript'];
/** Which failed attempt to return when none passes: tests that ran beat a timeout beat code that did not start. */
const STATUS_RANK: Record<RunTestsOutput['status'], number> = { passed: 3, failed: 2, timeout: 1, error: 0 };

function isBetter(candidate: Attempt, best: Attempt | undefined): boolean {
  if (!best) return true;
  const rank = STATUS_RANK[candidate.run.status] - STATUS_RANK[best.run.status];
  if (rank !== 0) return rank > 0;
  return candidate.run.failures.length <= best.run.failures.length;
}

/**
 * generate_code with tests: generate → run the tests in the sandbox → on failure regenerate with the real
 * failures fed back, up to `max_repair_rounds` times. Returns the first passing version, else the best one.
 */
@Injectable()
export class VerifiedGeneration {
  constructor(private readonly sandbox: CodeSandbox) {}

  async run(
    input: GenerateCodeInput & { tests: string },
    original: ChatMessage[],
    generate: GenerateOnce,
    context: ToolRunContext,
  ): Promise<GenerateCodeOutput> {
    const language = normalizeLanguage(input.language);
    const unavailable = await this.whyNotRunnable(language);
    if (unavailable !== undefined) {
      const output = await generate(original);
      return { ...output, verification: { status: 'not_run', rounds: 1, reason: unavailable } };
    }
    return this.loop(input, language as ExecutableLanguage, original, generate, context);
  }

  private async whyNotRunnable(language: string): Promise<string | undefined> {
    if (!EXECUTABLE.includes(language)) {
      return `Tests can only be run for python, javascript and typescript (the code is ${language}).`;
    }
    const availability = await this.sandbox.availability();
    return availability.available ? undefined : availability.reason;
  }

  private async loop(
    input: GenerateCodeInput & { tests: string },
    language: ExecutableLanguage,
    original: ChatMessage[],
    generate: GenerateOnce,
    context: ToolRunContext,
  ): Promise<GenerateCodeOutput> {
    const rounds = 1 + (input.max_repair_rounds ?? DEFAULT_REPAIR_ROUNDS);
    let messages = original;
    let best: Attempt | undefined;
    for (let round = 1; round <= rounds; round += 1) {
      const stage = `round ${round} of ${rounds}`;
      context.onProgress?.(`${stage}: generating code`);
      const output = await this.generateOrKeepBest(generate, messages, best);
      if (output === undefined) break;
      context.onProgress?.(`${stage}: running the tests`);
      const run = await this.sandbox.run({ language, code: output.code, tests: input.tests }, context.signal);
      if (run.passed) return { ...output, verification: { status: 'passed', rounds: round, last_run: run } };
      if (isBetter({ output, run }, best)) best = { output, run };
      messages = buildTestFeedbackMessages(original, output.code, language, describeTestRun(run));
    }
    const kept = best as Attempt;
    return { ...kept.output, verification: { status: 'failed', rounds, last_run: kept.run } };
  }

  /** A repair answer without usable code ends the repairs; the first answer's failure is the caller's error. */
  private async generateOrKeepBest(
    generate: GenerateOnce,
    messages: ChatMessage[],
    best: Attempt | undefined,
  ): Promise<GenerateCodeOutput | undefined> {
    try {
      return await generate(messages);
    } catch (error) {
      if (best === undefined) throw error;
      return undefined;
    }
  }
}

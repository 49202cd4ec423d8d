import {
  formalizeTaskOutputSchema,
  generateCodeOutputSchema,
  reviewCodeOutputSchema,
  runTestsOutputSchema,
  type FormalizeTaskOutput,
  type ReviewCodeOutput,
  type Verification,
} from '@app/contracts';
import type { GeneratedCode, RunOutcome, RunResult, RunTests, RunVerification } from './agent.types';

const SELF_TESTS_WARNING =
  'the tests were written by the code model from the acceptance criteria and may themselves be wrong';

/**
 * Keeps the latest useful output of each tool so that any exit — final answer, budget, stuck, error —
 * hands back the work done so far instead of throwing it away.
 */
export class BestResultTracker {
  private spec?: FormalizeTaskOutput;
  private code?: GeneratedCode;
  private review?: ReviewCodeOutput;
  private tests?: RunTests;

  get latestTests(): RunTests | undefined {
    return this.tests;
  }

  recordTests(tests: RunTests): void {
    this.tests = tests;
  }

  get latestSpec(): FormalizeTaskOutput | undefined {
    return this.spec;
  }

  get latestCode(): GeneratedCode | undefined {
    return this.code;
  }

  /** `args` are the call's arguments: a review's corrected code takes its language from them. */
  record(tool: string, output: unknown, step: number, args: Record<string, unknown> = {}): void {
    if (tool === 'formalize_task') this.recordSpec(output);
    if (tool === 'generate_code') this.recordCode(output, step);
    if (tool === 'review_code')
      this.recordReview(output, step, typeof args.language === 'string' ? args.language : undefined);
    if (tool === 'run_tests' && args.code === this.code?.code) this.recordRun(output);
  }

  result(outcome: RunOutcome, answer: string): RunResult {
    const { spec, code, review, tests } = this;
    return { outcome, answer, spec, code, review, tests, verification: code?.verification };
  }

  /** A readable answer for exits that had no final answer from the planner. */
  describe(reason: string): string {
    const parts = [reason];
    if (this.code)
      parts.push(`Latest code (${this.code.language}, from ${this.code.source}) is in the result.`);
    if (this.review) parts.push(`Latest review: ${this.review.verdict}, score ${this.review.score}/10.`);
    if (!this.code && !this.review && this.spec)
      parts.push(`A specification ("${this.spec.title}") is in the result.`);
    return parts.join(' ');
  }

  private recordSpec(output: unknown): void {
    const parsed = formalizeTaskOutputSchema.safeParse(output);
    if (parsed.success) this.spec = parsed.data;
  }

  private recordCode(output: unknown, step: number): void {
    const parsed = generateCodeOutputSchema.safeParse(output);
    if (!parsed.success) return;
    const { language, code, explanation, verification } = parsed.data;
    this.code = { language, code, explanation, source: 'generate_code', step };
    if (verification) this.code.verification = this.verificationOf(verification);
  }

  private verificationOf(verification: Verification): RunVerification {
    const { status, rounds, last_run: lastRun, reason } = verification;
    const source = status === 'not_run' ? undefined : this.tests?.source;
    const note = reason ?? (status === 'failed' && source === 'generated' ? SELF_TESTS_WARNING : undefined);
    return { status, rounds, tests_source: source, last_run: lastRun, note };
  }

  /** A run_tests call on the latest code: its outcome is that code's verification now. */
  private recordRun(output: unknown): void {
    const parsed = runTestsOutputSchema.safeParse(output);
    if (!parsed.success || !this.code) return;
    const status = parsed.data.passed ? 'passed' : 'failed';
    const rounds = this.code.verification?.rounds ?? 0;
    this.code.verification = this.verificationOf({ status, rounds, last_run: parsed.data });
  }

  private recordReview(output: unknown, step: number, reviewedLanguage: string | undefined): void {
    const parsed = reviewCodeOutputSchema.safeParse(output);
    if (!parsed.success) return;
    this.review = parsed.data;
    const corrected = parsed.data.corrected_code;
    // code that passed its tests is not swapped for an unverified rewrite (a model reading code can be wrong)
    if (corrected?.trim() && this.code?.verification?.status !== 'passed') {
      const language = reviewedLanguage ?? this.code?.language ?? 'unknown';
      this.code = {
        language,
        code: corrected,
        explanation: parsed.data.summary,
        source: 'review_code',
        step,
      };
    }
  }
}

import {
  formalizeTaskOutputSchema,
  generateCodeOutputSchema,
  reviewCodeOutputSchema,
  type FormalizeTaskOutput,
  type ReviewCodeOutput,
} from '@app/contracts';
import type { GeneratedCode, RunOutcome, RunResult } from './agent.types';

/**
 * Keeps the latest useful output of each tool so that any exit — final answer, budget, stuck, error —
 * hands back the work done so far instead of throwing it away.
 */
export class BestResultTracker {
  private spec?: FormalizeTaskOutput;
  private code?: GeneratedCode;
  private review?: ReviewCodeOutput;

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
  }

  result(outcome: RunOutcome, answer: string): RunResult {
    return { outcome, answer, spec: this.spec, code: this.code, review: this.review };
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
    const { language, code, explanation } = parsed.data;
    this.code = { language, code, explanation, source: 'generate_code', step };
  }

  private recordReview(output: unknown, step: number, reviewedLanguage: string | undefined): void {
    const parsed = reviewCodeOutputSchema.safeParse(output);
    if (!parsed.success) return;
    this.review = parsed.data;
    const corrected = parsed.data.corrected_code;
    if (corrected?.trim()) {
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

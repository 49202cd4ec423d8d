import { reviewCodeOutputSchema, type ReviewCodeInput, type ReviewCodeOutput } from '@app/contracts';
import { CODE_MODEL, generateStructured, type ModelClient } from '@app/inference';
import { buildReviewCodePrompt, parseReviewOutput } from '@app/prompts';
import { Inject, Injectable } from '@nestjs/common';
import type { ToolHandler, ToolRunContext } from './tool.types';

/** review_code: a JSON review (verdict, score, issues) with one repair round; corrected code is cleaned. */
@Injectable()
export class ReviewCodeTool implements ToolHandler<ReviewCodeInput, ReviewCodeOutput> {
  readonly name = 'review_code';

  constructor(@Inject(CODE_MODEL) private readonly model: ModelClient) {}

  async run(input: ReviewCodeInput, context: ToolRunContext): Promise<ReviewCodeOutput> {
    const prompt = buildReviewCodePrompt(input);
    const request = {
      ...prompt,
      signal: context.signal,
      onToken: context.onToken,
      onWaiting: context.onWaiting,
      trace: context.trace,
    };
    const structured = await generateStructured(this.model, request, reviewCodeOutputSchema, {
      name: this.name,
    });
    // The review-specific parser also strips fences and echoed line numbers from corrected_code.
    const cleaned = parseReviewOutput(structured.result.text);
    return cleaned.ok ? cleaned.value : structured.value;
  }
}

import { formalizeTaskOutputSchema, type FormalizeTaskInput, type FormalizeTaskOutput } from '@app/contracts';
import { CODE_MODEL, generateStructured, type ModelClient } from '@app/inference';
import { buildFormalizePrompt } from '@app/prompts';
import { Inject, Injectable } from '@nestjs/common';
import type { ToolHandler, ToolRunContext } from './tool.types';

/** formalize_task: a request in plain words → a spec, as JSON the code model writes (one repair round). */
@Injectable()
export class FormalizeTaskTool implements ToolHandler<FormalizeTaskInput, FormalizeTaskOutput> {
  readonly name = 'formalize_task';

  constructor(@Inject(CODE_MODEL) private readonly model: ModelClient) {}

  async run(input: FormalizeTaskInput, context: ToolRunContext): Promise<FormalizeTaskOutput> {
    const prompt = buildFormalizePrompt(input);
    const request = {
      ...prompt,
      signal: context.signal,
      onToken: context.onToken,
      onWaiting: context.onWaiting,
      trace: context.trace,
    };
    const { value } = await generateStructured(this.model, request, formalizeTaskOutputSchema, {
      name: this.name,
    });
    return input.language !== undefined && value.language === undefined
      ? { ...value, language: input.language }
      : value;
  }
}

import type { ChatMessage, GenerateCodeInput, GenerateCodeOutput } from '@app/contracts';
import { CODE_MODEL, cutAtTokenLimit, InferenceError, type ModelClient } from '@app/inference';
import { buildGenerateCodePrompt, parseGenerateCodeOutput } from '@app/prompts';
import { Inject, Injectable } from '@nestjs/common';
import type { ToolHandler, ToolRunContext } from './tool.types';
import { VerifiedGeneration } from './verified-generation';

/**
 * generate_code: the model answers with a fenced code block plus a short explanation (the format code
 * models write best; see the prompts library), parsed into { language, code, explanation }. With
 * `tests`, the code is run against them in the sandbox and repaired with the real failures.
 */
@Injectable()
export class GenerateCodeTool implements ToolHandler<GenerateCodeInput, GenerateCodeOutput> {
  readonly name = 'generate_code';

  constructor(
    @Inject(CODE_MODEL) private readonly model: ModelClient,
    private readonly verified: VerifiedGeneration,
  ) {}

  async run(input: GenerateCodeInput, context: ToolRunContext): Promise<GenerateCodeOutput> {
    const prompt = buildGenerateCodePrompt(input);
    const generate = (messages: ChatMessage[]) => this.generateOnce(input, { ...prompt, messages }, context);
    if (input.tests === undefined) return generate(prompt.messages);
    return this.verified.run({ ...input, tests: input.tests }, prompt.messages, generate, context);
  }

  private async generateOnce(
    input: GenerateCodeInput,
    prompt: ReturnType<typeof buildGenerateCodePrompt>,
    context: ToolRunContext,
  ): Promise<GenerateCodeOutput> {
    const { signal, onToken, onWaiting, trace } = context;
    const result = await this.model.generate({ ...prompt, signal, onToken, onWaiting, trace });
    const parsed = parseGenerateCodeOutput(result.text, input.language);
    if (parsed.ok) return parsed.value;
    const cut = cutAtTokenLimit(result, prompt.maxTokens);
    const advice = cut === '' ? '; retry, or rephrase the task' : cut;
    const message = `code model at ${result.endpoint} returned no usable code (${parsed.error})${advice}`;
    throw new InferenceError('INVALID_RESPONSE', message, {
      role: 'code',
      endpoint: result.endpoint,
      ...(cut === '' ? {} : { truncated: true }),
    });
  }
}

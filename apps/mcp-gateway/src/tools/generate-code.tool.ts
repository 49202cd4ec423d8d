import type { ChatMessage, GenerateCodeInput, GenerateCodeOutput } from '@app/contracts';
import {
  CODE_MODEL,
  cutAtTokenLimit,
  InferenceError,
  type ModelClient,
  type TokenUsage,
} from '@app/inference';
import { buildGenerateCodePrompt, parseGenerateCodeOutput } from '@app/prompts';
import { Inject, Injectable } from '@nestjs/common';
import type { ToolHandler, ToolRunContext } from './tool.types';
import { VerifiedGeneration } from './verified-generation';

/**
 * The tokens of every model call of one generate_code call (repair rounds and unusable answers included).
 * Reported only when every call had the server's counts: a partial sum would understate the cost.
 */
class UsageTally {
  private calls = 0;
  private counted = 0;
  private readonly sum = { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 };

  add(usage: TokenUsage | undefined): void {
    this.calls += 1;
    if (usage === undefined) return;
    this.counted += 1;
    this.sum.prompt_tokens += usage.promptTokens;
    this.sum.completion_tokens += usage.completionTokens;
    this.sum.total_tokens += usage.totalTokens;
  }

  attachTo(output: GenerateCodeOutput): GenerateCodeOutput {
    if (this.calls === 0 || this.counted < this.calls) return output;
    return { ...output, usage: { ...this.sum } };
  }
}

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
    const tally = new UsageTally();
    const generate = (messages: ChatMessage[]) =>
      this.generateOnce(input, { ...prompt, messages }, context, tally);
    const output =
      input.tests === undefined
        ? await generate(prompt.messages)
        : await this.verified.run({ ...input, tests: input.tests }, prompt.messages, generate, context);
    return tally.attachTo(output);
  }

  private async generateOnce(
    input: GenerateCodeInput,
    prompt: ReturnType<typeof buildGenerateCodePrompt>,
    context: ToolRunContext,
    tally: UsageTally,
  ): Promise<GenerateCodeOutput> {
    const { signal, onToken, onWaiting, trace } = context;
    const result = await this.model.generate({ ...prompt, signal, onToken, onWaiting, trace });
    tally.add(result.usage);
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

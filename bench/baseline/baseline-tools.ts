import {
  TOOL_CONTRACTS,
  formalizeTaskOutputSchema,
  isToolName,
  reviewCodeOutputSchema,
  validate,
  type FormalizeTaskInput,
  type GenerateCodeInput,
  type ReviewCodeInput,
  type ToolName,
} from '@app/contracts';
import { generateStructured, type GenerationRequest, type ModelClient } from '@app/inference';
import {
  buildFormalizePrompt,
  buildGenerateCodePrompt,
  buildReviewCodePrompt,
  parseGenerateCodeOutput,
  parseReviewOutput,
} from '@app/prompts';

/**
 * The three tools as a bare SDK server would write them: the same contracts, prompts, parsers and inference
 * client as the gateway, none of its layers (no Nest, Express, middleware, logging, metrics, registry).
 */
export interface ToolCallOptions {
  signal: AbortSignal;
  onToken?: (delta: string) => void;
}

type Output = Record<string, unknown>;
type Runner = (model: ModelClient, input: never, options: ToolCallOptions) => Promise<Output>;

function request(prompt: Omit<GenerationRequest, 'signal' | 'onToken'>, options: ToolCallOptions) {
  return { ...prompt, signal: options.signal, onToken: options.onToken };
}

async function formalize(model: ModelClient, input: FormalizeTaskInput, options: ToolCallOptions) {
  const prompt = request(buildFormalizePrompt(input), options);
  const { value } = await generateStructured(model, prompt, formalizeTaskOutputSchema, {
    name: 'formalize_task',
  });
  return value;
}

async function generate(model: ModelClient, input: GenerateCodeInput, options: ToolCallOptions) {
  const result = await model.generate(request(buildGenerateCodePrompt(input), options));
  const parsed = parseGenerateCodeOutput(result.text, input.language);
  if (!parsed.ok) throw new Error(`no usable code: ${parsed.error}`);
  return parsed.value;
}

async function review(model: ModelClient, input: ReviewCodeInput, options: ToolCallOptions) {
  const prompt = request(buildReviewCodePrompt(input), options);
  const structured = await generateStructured(model, prompt, reviewCodeOutputSchema, { name: 'review_code' });
  const cleaned = parseReviewOutput(structured.result.text);
  return cleaned.ok ? cleaned.value : structured.value;
}

// the baseline measures model-tool overhead; run_tests executes code and has a bench section of its own
const RUNNERS: Record<Exclude<ToolName, 'run_tests'>, Runner> = {
  formalize_task: formalize,
  generate_code: generate,
  review_code: review,
};

/** validate input → run → validate output, like any careful tool server. Throws on every failure. */
export async function runBaselineTool(
  model: ModelClient,
  name: string,
  args: unknown,
  options: ToolCallOptions,
): Promise<Output> {
  if (!isToolName(name) || name === 'run_tests') throw new Error(`Unknown tool: ${name}`);
  const contract = TOOL_CONTRACTS[name];
  const input = validate(contract.input, args ?? {});
  if (!input.ok) throw new Error(`Invalid arguments for ${name}: ${input.message}`);
  const output = await RUNNERS[name](model, input.value as never, options);
  const checked = validate(contract.output, output);
  if (!checked.ok) throw new Error(`Output of ${name} did not match its schema: ${checked.message}`);
  return checked.value;
}

/** What both bare servers answer a tools/call with: the output and its JSON text, or the error as isError. */
export interface BaselineCallResult {
  [key: string]: unknown;
  content: Array<{ type: 'text'; text: string }>;
  structuredContent?: Output;
  isError?: boolean;
}

export async function baselineCallResult(run: () => Promise<Output>): Promise<BaselineCallResult> {
  try {
    const output = await run();
    return { content: [{ type: 'text', text: JSON.stringify(output, null, 2) }], structuredContent: output };
  } catch (error) {
    return { content: [{ type: 'text', text: String(error) }], isError: true };
  }
}

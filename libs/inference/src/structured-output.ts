import { toJsonSchema } from '@app/contracts';
import { buildRepairMessages, parseStructured } from '@app/prompts';
import type { z } from 'zod';
import { InferenceError } from './inference.errors';
import type { GenerationRequest, GenerationResult, ModelClient } from './inference.types';
import { trimExcerpt } from './http/upstream-errors';

export interface StructuredOptions {
  /** one repair round feeding the parse error back (default true) */
  repair?: boolean;
  /** schema name sent in `response_format` (default "answer") */
  name?: string;
}

export interface StructuredResult<T> {
  value: T;
  /** the generation whose output parsed (the repair round's when there was one) */
  result: GenerationResult;
  repaired: boolean;
  /** lenient-parse fixes applied (trailing commas, fences, enum case …) */
  repairs: string[];
}

/**
 * Generates JSON matching a zod schema: the JSON Schema goes to backends that can enforce it
 * (`response_format`), the output is parsed leniently and validated, and a failure gets ONE repair round
 * with the error fed back before `INVALID_RESPONSE`.
 */
export async function generateStructured<S extends z.ZodType>(
  client: ModelClient,
  request: GenerationRequest,
  schema: S,
  options: StructuredOptions = {},
): Promise<StructuredResult<z.output<S>>> {
  const constrained = withJsonSchema(client, request, schema, options.name ?? 'answer');
  const first = await client.generate(constrained);
  const parsed = parseStructured(first.text, schema);
  if (parsed.ok) return { value: parsed.value, result: first, repaired: false, repairs: parsed.repairs };
  if (options.repair === false) throw invalidStructured(client, first, parsed.error, false, request);
  // the repair round is not streamed: the caller already saw the first answer's tokens
  const messages = buildRepairMessages(request.messages, first.text, parsed.error);
  const second = await client.generate({ ...constrained, messages, onToken: undefined });
  const reparsed = parseStructured(second.text, schema);
  if (reparsed.ok)
    return { value: reparsed.value, result: second, repaired: true, repairs: reparsed.repairs };
  throw invalidStructured(client, second, reparsed.error, true, request);
}

function withJsonSchema(
  client: ModelClient,
  request: GenerationRequest,
  schema: z.ZodType,
  name: string,
): GenerationRequest {
  if (request.jsonSchema || !client.capabilities.structuredOutput) return request;
  return { ...request, jsonSchema: { name, schema: toJsonSchema(schema, 'output') } };
}

/** " — the answer was cut at the token limit (…)" when the model stopped at max_tokens, else ''. */
export function cutAtTokenLimit(result: GenerationResult, maxTokens: number | undefined): string {
  if (result.finishReason !== 'length') return '';
  const limit = maxTokens === undefined ? '' : ` of ${maxTokens}`;
  return ` — the answer was cut at the token limit${limit} (finish_reason "length"): ask for less, or raise max_tokens`;
}

function invalidStructured(
  client: ModelClient,
  result: GenerationResult,
  error: string,
  afterRepair: boolean,
  request: GenerationRequest,
): InferenceError {
  const label = client.role === 'code' ? 'code model' : 'planner model';
  const when = afterRepair ? ' even after one repair round' : '';
  const cut = cutAtTokenLimit(result, request.maxTokens);
  const excerpt = trimExcerpt(result.text, 200);
  const message = `${label} at ${result.endpoint} did not produce usable JSON${when}: ${error}${cut}. Output began: "${excerpt}"`;
  return new InferenceError('INVALID_RESPONSE', message, {
    role: client.role,
    endpoint: result.endpoint,
    excerpt,
    attempts: result.attempts,
    upstreamMessage: error,
    ...(cut === '' ? {} : { truncated: true }),
  });
}

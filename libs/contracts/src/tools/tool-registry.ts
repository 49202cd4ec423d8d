import { z } from 'zod';
import { formalizeTaskInputSchema, formalizeTaskOutputSchema } from './formalize-task.contract';
import { generateCodeInputSchema, generateCodeOutputSchema } from './generate-code.contract';
import { reviewCodeInputSchema, reviewCodeOutputSchema } from './review-code.contract';
import { runTestsInputSchema, runTestsOutputSchema } from './run-tests.contract';

export type JsonSchema = Record<string, unknown>;

export const TOOL_NAMES = ['formalize_task', 'generate_code', 'review_code', 'run_tests'] as const;
export type ToolName = (typeof TOOL_NAMES)[number];
/** The tools every gateway lists; `run_tests` is listed only where code execution is available. */
export const MODEL_TOOL_NAMES = [
  'formalize_task',
  'generate_code',
  'review_code',
] as const satisfies readonly ToolName[];

/** MCP tool annotations: the model tools only read their input and ask a model (an open world). */
export interface ToolAnnotations {
  title: string;
  readOnlyHint: boolean;
  destructiveHint: boolean;
  idempotentHint: boolean;
  openWorldHint: boolean;
}

/** One tool's contract: the zod schemas are the source; JSON Schemas and types derive from them. */
export interface ToolContract<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  name: ToolName;
  title: string;
  description: string;
  input: I;
  output: O;
  inputJsonSchema: JsonSchema;
  outputJsonSchema: JsonSchema;
  annotations: ToolAnnotations;
}

/** JSON Schema as MCP clients and model servers (`response_format`) consume it: draft 2020-12, no `$schema`. */
export function toJsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' });
  return rest;
}

function defineTool<I extends z.ZodType, O extends z.ZodType>(
  name: ToolName,
  title: string,
  description: string,
  input: I,
  output: O,
  hints: Partial<Omit<ToolAnnotations, 'title'>> = {},
): ToolContract<I, O> {
  return {
    name,
    title,
    description,
    input,
    output,
    inputJsonSchema: toJsonSchema(input, 'input'),
    outputJsonSchema: toJsonSchema(output, 'output'),
    annotations: {
      title,
      readOnlyHint: true,
      destructiveHint: false,
      idempotentHint: false,
      openWorldHint: true,
      ...hints,
    },
  };
}

export const formalizeTaskContract = defineTool(
  'formalize_task',
  'Formalize a task',
  'Turn a request in plain words into a precise specification: title, summary, requirements, ' +
    'acceptance criteria, constraints, assumptions and open questions.',
  formalizeTaskInputSchema,
  formalizeTaskOutputSchema,
);

export const generateCodeContract = defineTool(
  'generate_code',
  'Generate code',
  'Write code for a task (plain words) or a spec (a formalize_task output) with the self-hosted code model. ' +
    'Returns the code, its language and a short explanation.',
  generateCodeInputSchema,
  generateCodeOutputSchema,
);

export const reviewCodeContract = defineTool(
  'review_code',
  'Review code',
  'Review code for correctness, security and clarity with the self-hosted code model. Returns a verdict, ' +
    'a 0-10 score and issues with severity, line and suggestion.',
  reviewCodeInputSchema,
  reviewCodeOutputSchema,
);

/**
 * It does execute the code, but in a sandbox that leaves nothing behind (no host files, no network):
 * it changes nothing in the caller's world (read-only), the same input gives the same result, and it
 * reaches nothing outside (closed world).
 */
export const runTestsContract = defineTool(
  'run_tests',
  'Run tests',
  'Run code together with its tests (Python, JavaScript or TypeScript) in an isolated sandbox: no network, ' +
    'no host files, limited CPU time, memory and processes. Returns pass/fail, the exit code, the output ' +
    'and the failing assertions.',
  runTestsInputSchema,
  runTestsOutputSchema,
  { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
);

export const TOOL_CONTRACTS = {
  formalize_task: formalizeTaskContract,
  generate_code: generateCodeContract,
  review_code: reviewCodeContract,
  run_tests: runTestsContract,
} as const;

export function isToolName(name: string): name is ToolName {
  return (TOOL_NAMES as readonly string[]).includes(name);
}

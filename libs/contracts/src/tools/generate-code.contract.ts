import { z } from 'zod';
import { formalizeTaskOutputSchema, languageField } from './formalize-task.contract';
import { runTestsOutputSchema } from './run-tests.contract';

/** Most of the gain of execution feedback comes in the first two rounds (see docs); five is plenty. */
export const MAX_REPAIR_ROUNDS = 5;
export const DEFAULT_REPAIR_ROUNDS = 2;

export const generateCodeInputSchema = z
  .object({
    task: z
      .string()
      .trim()
      .min(1, 'task must not be empty')
      .max(20_000)
      .optional()
      .describe('What to write, in plain words'),
    spec: formalizeTaskOutputSchema
      .optional()
      .describe('A formalize_task output; used instead of (or with) task'),
    language: languageField.default('python'),
    context: z.string().max(200_000).optional().describe('Existing code the new code must fit into'),
    tests: z
      .string()
      .trim()
      .min(1, 'tests must not be empty')
      .max(200_000)
      .optional()
      .describe(
        'A test program the code must pass (python, javascript or typescript): the code is run against it ' +
          'in the sandbox and repaired with the real failures',
      ),
    max_repair_rounds: z
      .number()
      .int()
      .min(0)
      .max(MAX_REPAIR_ROUNDS)
      .optional()
      .describe(
        `With tests: how many times failing code is regenerated with the failures fed back (default ${DEFAULT_REPAIR_ROUNDS})`,
      ),
  })
  .strict()
  .refine((input) => input.task !== undefined || input.spec !== undefined, {
    message: 'give either "task" (a string) or "spec" (a formalize_task output)',
    path: ['task'],
  });

export const verificationSchema = z.object({
  status: z
    .enum(['passed', 'failed', 'not_run'])
    .describe(
      'passed: the returned code passes the tests; failed: no version passed; not_run: could not run them',
    ),
  rounds: z.number().int().min(0).describe('How many times code was generated: 1 + the repairs'),
  last_run: runTestsOutputSchema.optional().describe('The run_tests output of the code returned'),
  reason: z.string().optional().describe('Why the tests were not run (not_run)'),
});

/** What the code model spent on one generate_code call, every round included (the server's own counts). */
export const tokenUsageSchema = z.object({
  prompt_tokens: z.number().int().min(0),
  completion_tokens: z.number().int().min(0),
  total_tokens: z.number().int().min(0),
});

export const generateCodeOutputSchema = z.object({
  language: z.string().describe('Language of the code'),
  code: z.string().describe('The generated source code, without Markdown fences'),
  explanation: z.string().describe('How the code meets the task, in a few sentences'),
  verification: verificationSchema.optional().describe('Present when tests were given'),
  usage: tokenUsageSchema
    .optional()
    .describe(
      'Tokens the code model spent on this call, all repair rounds included; present when the model server reported usage for every model call',
    ),
});

export type GenerateCodeInput = z.infer<typeof generateCodeInputSchema>;
export type GenerateCodeOutput = z.infer<typeof generateCodeOutputSchema>;
export type Verification = z.infer<typeof verificationSchema>;
export type TokenUsageOutput = z.infer<typeof tokenUsageSchema>;

import { z } from 'zod';
import { formalizeTaskOutputSchema, languageField } from './formalize-task.contract';

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
  })
  .strict()
  .refine((input) => input.task !== undefined || input.spec !== undefined, {
    message: 'give either "task" (a string) or "spec" (a formalize_task output)',
    path: ['task'],
  });

export const generateCodeOutputSchema = z.object({
  language: z.string().describe('Language of the code'),
  code: z.string().describe('The generated source code, without Markdown fences'),
  explanation: z.string().describe('How the code meets the task, in a few sentences'),
});

export type GenerateCodeInput = z.infer<typeof generateCodeInputSchema>;
export type GenerateCodeOutput = z.infer<typeof generateCodeOutputSchema>;

import { z } from 'zod';

/** Languages are free-form strings (models know many); common spellings are normalised by the prompts lib. */
const languageField = z
  .string()
  .trim()
  .min(1)
  .max(40)
  .describe('Target programming language, e.g. "python", "typescript"');

export const formalizeTaskInputSchema = z
  .object({
    task: z
      .string()
      .trim()
      .min(1, 'task must not be empty')
      .max(20_000)
      .describe('The request in plain words, e.g. "a function that merges overlapping intervals"'),
    context: z
      .string()
      .max(200_000)
      .optional()
      .describe('Background: existing code, domain notes, constraints the task lives in'),
    language: languageField.optional(),
  })
  .strict();

export const formalizeTaskOutputSchema = z.object({
  title: z.string().describe('A short name for the task'),
  summary: z.string().describe('One or two sentences restating the task precisely'),
  language: z.string().optional().describe('The language the task targets, when known'),
  requirements: z.array(z.string()).describe('Functional requirements, each testable'),
  acceptance_criteria: z.array(z.string()).describe('Checks that decide whether the task is done'),
  constraints: z.array(z.string()).describe('Limits: performance, style, dependencies, APIs to keep'),
  assumptions: z.array(z.string()).describe('What was assumed where the task was silent'),
  open_questions: z.array(z.string()).describe('What a person should clarify'),
});

export type FormalizeTaskInput = z.infer<typeof formalizeTaskInputSchema>;
export type FormalizeTaskOutput = z.infer<typeof formalizeTaskOutputSchema>;
export { languageField };

import { z } from 'zod';
import { formalizeTaskOutputSchema, languageField } from './formalize-task.contract';

/** 1 MiB of code is the gateway's default body limit; the schema allows a little less for JSON overhead. */
export const MAX_REVIEW_CODE_CHARS = 1_000_000;

export const reviewSeveritySchema = z.enum(['critical', 'major', 'minor', 'info']);
export const reviewVerdictSchema = z.enum(['approve', 'request_changes']);

export const reviewCodeInputSchema = z
  .object({
    code: z
      .string()
      .min(1, 'code must not be empty')
      .max(MAX_REVIEW_CODE_CHARS)
      .describe('The code to review'),
    language: languageField.optional(),
    spec: z
      .union([formalizeTaskOutputSchema, z.string().min(1).max(20_000)])
      .optional()
      .describe('What the code is meant to do: a formalize_task output or plain words'),
    focus: z
      .array(z.string().trim().min(1).max(200))
      .max(20)
      .optional()
      .describe('Aspects to look at first, e.g. ["correctness", "security"]'),
  })
  .strict();

export const reviewIssueSchema = z.object({
  severity: reviewSeveritySchema,
  line: z.number().int().positive().optional().describe('1-based line in the reviewed code'),
  message: z.string().describe('What is wrong'),
  suggestion: z.string().optional().describe('How to fix it'),
});

export const reviewCodeOutputSchema = z.object({
  summary: z.string().describe('The review in one or two sentences'),
  verdict: reviewVerdictSchema,
  score: z.number().min(0).max(10).describe('Overall quality from 0 (broken) to 10 (exemplary)'),
  issues: z.array(reviewIssueSchema),
  corrected_code: z
    .string()
    .optional()
    .describe('A corrected version of the code, when changes were requested'),
});

export type ReviewCodeInput = z.infer<typeof reviewCodeInputSchema>;
export type ReviewCodeOutput = z.infer<typeof reviewCodeOutputSchema>;
export type ReviewIssue = z.infer<typeof reviewIssueSchema>;
export type ReviewSeverity = z.infer<typeof reviewSeveritySchema>;

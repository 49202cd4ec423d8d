import { z } from 'zod';

/** Languages `run_tests` (and verified `generate_code`) can execute. */
export const executableLanguageSchema = z.enum(['python', 'javascript', 'typescript']);

export const runTestsInputSchema = z
  .object({
    language: executableLanguageSchema.describe('Language of the code and the tests'),
    code: z.string().max(200_000).describe('The code under test'),
    tests: z
      .string()
      .min(1, 'tests must not be empty')
      .max(200_000)
      .describe(
        'A test program appended to the code that exits non-zero on failure: plain asserts, ' +
          'unittest/pytest-style test functions, node:assert, …',
      ),
    timeout_seconds: z
      .number()
      .int()
      .min(1)
      .max(60)
      .optional()
      .describe('Wall-clock limit of the run (default SANDBOX_TIMEOUT_SECONDS)'),
  })
  .strict();

export const testFailureSchema = z.object({
  name: z.string().optional().describe('The failing test, when the output names it'),
  message: z.string().describe('The failing assertion or exception, with the line it came from'),
});

export const runTestsOutputSchema = z.object({
  passed: z.boolean().describe('true when the tests ran and exited 0'),
  status: z
    .enum(['passed', 'failed', 'error', 'timeout'])
    .describe(
      'failed: tests failed; error: the program did not compile or start; timeout: killed at the limit',
    ),
  exit_code: z.number().int().nullable().describe('null when the process was killed'),
  duration_ms: z.number().int().min(0),
  stdout: z.string().describe('Standard output, cut at 64 KiB'),
  stderr: z.string().describe('Standard error, cut at 64 KiB'),
  truncated: z.object({ stdout: z.boolean(), stderr: z.boolean() }).describe('Whether the output was cut'),
  failures: z
    .array(testFailureSchema)
    .describe('Failures parsed from the output (the raw output is always there)'),
});

export type RunTestsInput = z.infer<typeof runTestsInputSchema>;
export type RunTestsOutput = z.infer<typeof runTestsOutputSchema>;
export type ExecutableLanguage = z.infer<typeof executableLanguageSchema>;

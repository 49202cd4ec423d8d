import type { EvalLanguage } from '../datasets/problem';

/** What the harness asks of a sandbox: run `code` then `tests` as one program. */
export interface ProgramRequest {
  language: EvalLanguage;
  code: string;
  tests: string;
  timeoutSeconds: number;
}

/** The part of the sandbox's `run_tests` output that decides a task (same field names). */
export interface ProgramRun {
  passed: boolean;
  status: 'passed' | 'failed' | 'error' | 'timeout';
  exit_code: number | null;
  duration_ms: number;
  stdout: string;
  stderr: string;
  failures: Array<{ name?: string; message: string }>;
}

/** The sandbox seam: `@app/sandbox` in production; whatever runs programs in the harness's own tests. */
export interface ProgramRunner {
  run(request: ProgramRequest, signal?: AbortSignal): Promise<ProgramRun>;
}

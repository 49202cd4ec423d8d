/** Languages the sandbox can run. TypeScript is transpiled in-process, then run by `node`. */
export type SandboxLanguage = 'python' | 'javascript' | 'typescript';

export const SANDBOX_LANGUAGES: readonly SandboxLanguage[] = ['python', 'javascript', 'typescript'];

/** One execution: the code and its tests become one program (code first, then tests). */
export interface RunTestsRequest {
  language: SandboxLanguage;
  code: string;
  /** a test program that exits non-zero on failure (asserts, unittest/pytest-style functions, node:assert) */
  tests: string;
  /** wall-clock limit; defaults to SANDBOX_TIMEOUT_SECONDS, at most 60 */
  timeoutSeconds?: number;
}

export type RunStatus = 'passed' | 'failed' | 'error' | 'timeout';

/** One failing check as far as the output shows it; `message` is what a person (or a model) needs to fix it. */
export interface TestFailure {
  name?: string;
  message: string;
}

/** The `run_tests` output of INTERFACE.md (snake_case on the wire, so here too). */
export interface RunTestsOutput {
  passed: boolean;
  /** passed: exit 0; failed: the tests failed; error: the program could not compile or start; timeout */
  status: RunStatus;
  /** null when the process was killed by a signal (timeout, output flood, memory) */
  exit_code: number | null;
  duration_ms: number;
  stdout: string;
  stderr: string;
  /** whether stdout/stderr were cut at the cap (64 KiB each) */
  truncated: { stdout: boolean; stderr: boolean };
  failures: TestFailure[];
}

/** Whether execution works on this machine; when it does not, one sentence saying why and what to do. */
export interface SandboxAvailability {
  available: boolean;
  /** the driver in use: 'bubblewrap', or 'none' when unavailable */
  driver: 'bubblewrap' | 'none';
  reason?: string;
  /** languages whose interpreter was found (python needs `python3` on PATH) */
  languages: SandboxLanguage[];
}

export type SandboxMode = 'auto' | 'bubblewrap' | 'off';

/** Options of `SandboxModule` / `createCodeSandbox`; 1:1 with `sandboxConfig` of `@app/config`. */
export interface SandboxOptions {
  mode: SandboxMode;
  timeoutSeconds: number;
  memoryMb: number;
  maxConcurrency: number;
  /** the bwrap executable (tests point this at a broken one); default `bwrap` on PATH */
  bwrapPath?: string;
  /** the Python to run (default `python3` on PATH; pyenv shims are resolved to the real interpreter) */
  pythonCommand?: string;
}

/** Longest wall-clock limit a call may ask for. */
export const MAX_TIMEOUT_SECONDS = 60;
/** Bytes kept of stdout and of stderr each. */
export const OUTPUT_CAP_BYTES = 64 * 1024;

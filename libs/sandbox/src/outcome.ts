import { parseFailures } from './failures';
import type { ProcessOutcome } from './process-runner';
import type { RunTestsOutput, TestFailure } from './sandbox.types';

const COMPILE_ERRORS = /^(SyntaxError|IndentationError|TabError)\b/;

function base(outcome: ProcessOutcome): Omit<RunTestsOutput, 'passed' | 'status' | 'failures'> {
  return {
    exit_code: outcome.exitCode,
    duration_ms: outcome.durationMs,
    stdout: outcome.stdout.text,
    stderr: outcome.stderr.text,
    truncated: { stdout: outcome.stdout.truncated, stderr: outcome.stderr.truncated },
  };
}

function lastLines(text: string, count: number): string {
  return text.trim().split('\n').slice(-count).join('\n');
}

/** Failures of a run that exited non-zero, with a fallback when the output names none. */
function failuresOf(interpreter: 'python' | 'node', outcome: ProcessOutcome): TestFailure[] {
  const parsed = parseFailures(interpreter, outcome.stdout.text, outcome.stderr.text);
  if (parsed.length > 0) return parsed;
  const how = outcome.killedBy
    ? `was killed by ${outcome.killedBy}`
    : `exited with code ${String(outcome.exitCode)}`;
  const tail = lastLines(outcome.stderr.text, 5);
  return [{ message: tail ? `the program ${how}: ${tail}` : `the program ${how}` }];
}

/** Maps what the process did to the run_tests output (aborts are handled by the caller). */
export function toRunOutput(
  interpreter: 'python' | 'node',
  outcome: ProcessOutcome,
  timeoutSeconds: number,
): RunTestsOutput {
  const common = base(outcome);
  if (outcome.stoppedFor === 'timeout' || outcome.killedBy === 'SIGXCPU') {
    const message = `timed out after ${timeoutSeconds} s (the whole process group was killed)`;
    return { ...common, passed: false, status: 'timeout', failures: [{ message }] };
  }
  if (outcome.stoppedFor === 'output') {
    const message =
      'the program wrote more than 1 MiB to stdout or stderr and was stopped; its output is cut at 64 KiB';
    return { ...common, passed: false, status: 'failed', failures: [{ name: 'output', message }] };
  }
  if (outcome.exitCode === 0) return { ...common, passed: true, status: 'passed', failures: [] };
  const failures = failuresOf(interpreter, outcome);
  const startFailed = /^bwrap: /m.test(outcome.stderr.text) || outcome.exitCode === 127;
  const compileFailed = failures.length === 1 && COMPILE_ERRORS.test(failures[0]?.message ?? '');
  return { ...common, passed: false, status: startFailed || compileFailed ? 'error' : 'failed', failures };
}

/** A TypeScript program that did not compile: nothing ran. */
export function compileErrorOutput(message: string): RunTestsOutput {
  return {
    passed: false,
    status: 'error',
    exit_code: null,
    duration_ms: 0,
    stdout: '',
    stderr: message,
    truncated: { stdout: false, stderr: false },
    failures: [{ name: 'compile', message }],
  };
}

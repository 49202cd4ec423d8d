import type { EvalProblem } from '../datasets/problem';
import type { ProgramRun } from '../execution/program-runner';
import type { TaskStatus } from './task-result';

const MAX_DETAIL_CHARS = 240;

/** What a program that never started looks like: Python's parser errors, JS/TS syntax, tsc diagnostics. */
const COMPILE_ERROR = /^(?:\s*(?:SyntaxError|IndentationError|TabError)\b|.*\berror TS\d{3,5}\b)/m;

export function clip(text: string, max = MAX_DETAIL_CHARS): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length <= max ? line : `${line.slice(0, max - 1)}…`;
}

/** The line a person wants first: the failure message, else the last line of stderr (the exception). */
function detailOf(run: ProgramRun): string | undefined {
  const failure = run.failures[0]?.message;
  if (failure) return clip(failure);
  const lines = `${run.stderr}\n${run.stdout}`.split('\n').filter((line) => line.trim() !== '');
  const last = lines.at(-1);
  return last === undefined ? undefined : clip(last);
}

export interface Verdict {
  status: TaskStatus;
  detail?: string;
}

/**
 * Pass = the program exits 0 (the tests throw on failure). HumanEval-X's `console.assert` only prints,
 * so there any output at all is a failure, as in CodeGeeX's evaluator.
 */
export function judgeRun(problem: EvalProblem, run: ProgramRun): Verdict {
  if (run.status === 'timeout')
    return { status: 'timeout', detail: `no result within ${run.duration_ms} ms` };
  const printed = run.stdout.trim() !== '' || run.stderr.trim() !== '';
  if (run.passed && !(problem.failOnOutput && printed)) return { status: 'passed' };
  if (COMPILE_ERROR.test(run.stderr)) return { status: 'compile_error', detail: detailOf(run) };
  return { status: 'wrong_answer', detail: detailOf(run) ?? `exit code ${run.exit_code ?? 'none'}` };
}

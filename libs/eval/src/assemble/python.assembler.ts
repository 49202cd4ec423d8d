import type { EvalProblem } from '../datasets/problem';
import {
  escapeRegExp,
  noCode,
  normalizeCompletion,
  withNewline,
  type Assembly,
  type ProgramAssembler,
} from './assembly';

const INDENT = '    ';

const indentOf = (line: string): number => /^[ \t]*/.exec(line)?.[0].length ?? 0;
const isBlank = (line: string): boolean => line.trim() === '';

/** A top-level `def entry(` (or `async def`): the answer is the whole function. */
export function definesPythonFunction(code: string, name: string): boolean {
  return new RegExp(`^(?:async\\s+)?def\\s+${escapeRegExp(name)}\\s*\\(`, 'm').test(code);
}

/**
 * A body must sit one level inside the prompt's `def`. Models (and fence parsers) often dedent it:
 * all of it, or only its first line (the rest keeps its indentation, as when an answer was trimmed).
 */
export function indentBody(body: string): string {
  const lines = body.split('\n');
  const first = lines.findIndex((line) => !isBlank(line));
  const firstLine = lines[first] ?? '';
  if (first < 0 || indentOf(firstLine) > 0) return body;
  const rest = lines.slice(first + 1).filter((line) => !isBlank(line));
  const restIndent = Math.min(...rest.map(indentOf));
  const onlyFirstLost = rest.length > 0 && restIndent >= INDENT.length && !firstLine.trimEnd().endsWith(':');
  if (onlyFirstLost) return lines.map((line, i) => (i === first ? INDENT + line : line)).join('\n');
  return lines.map((line) => (isBlank(line) ? line : INDENT + line)).join('\n');
}

/**
 * human-eval runs `prompt + completion + test + check(entry_point)`. A whole function goes after the
 * prompt instead: the prompt's docstring-only `def` is valid Python, the answer's `def` replaces it,
 * and the prompt's imports and helper functions stay available.
 */
export const pythonAssembler: ProgramAssembler = {
  language: 'python',
  assemble(problem: EvalProblem, completion: string): Assembly {
    const code = normalizeCompletion(completion);
    if (code.trim() === '') return noCode();
    const prompt = withNewline(problem.prompt);
    if (definesPythonFunction(code, problem.entryPoint))
      return { ok: true, code: `${prompt}\n${code}\n`, tests: problem.tests, shape: 'function' };
    return { ok: true, code: `${prompt}${indentBody(code)}\n`, tests: problem.tests, shape: 'body' };
  },
};

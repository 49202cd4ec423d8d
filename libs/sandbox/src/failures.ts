import type { TestFailure } from './sandbox.types';

/** At most this many failures are listed; the raw output is always there for the rest. */
const MAX_FAILURES = 20;
const MAX_MESSAGE_CHARS = 1000;

const PY_TRACEBACK = 'Traceback (most recent call last):';
const PY_FRAME = /^\s*File "([^"]+)", line (\d+), in (\S+)/;
const PY_EXCEPTION = /^([A-Za-z_][\w.]*(?:Error|Exception|Exit|Interrupt)|AssertionError)\b:?(.*)$/;
const PY_FILE_LINE = /^\s*File "[^"]+", line (\d+)/;
const PY_COMPILE_ERROR = /^(SyntaxError|IndentationError|TabError): /;
const UNITTEST_HEADER = /^(FAIL|ERROR): (\w+) \(([^)]*)\)/;
const PYTEST_SUMMARY = /^(?:FAILED|ERROR) (\S+?)(?: - (.*))?$/;
const RUNNER_HEADER = /^FAILED (\w+)$/;
const JS_ERROR = /^(?:Uncaught )?([A-Z]\w*(?:Error|Exception))(?: \[(\w+)\])?: ?(.*)$/;
const JS_FRAME = /^\s+at (?:(\S+) )?\(?(?:file:\/\/)?\/tmp\/main\.[cm]?[jt]s:(\d+):\d+\)?/;
const TAP_NOT_OK = /^\s*not ok \d+ - (.*)$/;

function clip(text: string): string {
  const trimmed = text.trim();
  return trimmed.length > MAX_MESSAGE_CHARS ? `${trimmed.slice(0, MAX_MESSAGE_CHARS)}…` : trimmed;
}

/** One Python traceback → its exception line, the failing source line and where (the last frame in the program). */
function pythonTraceback(
  lines: string[],
  start: number,
  name?: string,
): { failure: TestFailure; end: number } {
  let frame: { line: string; fn: string; source?: string } | undefined;
  let index = start + 1;
  for (; index < lines.length; index += 1) {
    const line = lines[index] ?? '';
    const match = PY_FRAME.exec(line);
    if (match) {
      if ((match[1] ?? '').includes('main.py'))
        frame = { line: match[2] ?? '', fn: match[3] ?? '', source: lines[index + 1]?.trim() };
      continue;
    }
    if (!line.startsWith(' ') && PY_EXCEPTION.test(line)) break;
  }
  const exception = [lines[index] ?? 'the program raised an exception'];
  // an exception message may span lines (unittest's diffs): keep them until the next blank/section line
  for (
    let next = index + 1;
    next < lines.length && /^\S/.test(lines[next] ?? '') && !isSectionLine(lines[next] ?? '');
    next += 1
  ) {
    exception.push(lines[next] ?? '');
  }
  const where = frame
    ? ` (line ${frame.line}, in ${frame.fn}${frame.source ? `: ${frame.source}` : ''})`
    : '';
  const fn = frame && frame.fn !== '<module>' ? frame.fn : undefined;
  return {
    failure: { name: name ?? fn, message: clip(`${exception.join('\n')}${where}`) },
    end: index + exception.length,
  };
}

/** A SyntaxError is printed without "Traceback": its `File "…", line N` header comes a few lines before. */
function pythonCompileError(lines: string[], index: number): TestFailure {
  for (let header = index - 1; header >= Math.max(0, index - 5); header -= 1) {
    const match = PY_FILE_LINE.exec(lines[header] ?? '');
    if (match)
      return {
        message: clip(`${lines[index] ?? ''} (line ${match[1]}: ${lines[header + 1]?.trim() ?? ''})`),
      };
  }
  return { message: clip(lines[index] ?? '') };
}

function isSectionLine(line: string): boolean {
  return /^(=+|-+|Traceback|FAIL:|ERROR:|FAILED |Ran \d+)/.test(line);
}

function pythonFailures(output: string): TestFailure[] {
  const lines = output.split('\n');
  const failures: TestFailure[] = [];
  let pendingName: string | undefined;
  for (let index = 0; index < lines.length; index += 1) {
    const line = lines[index] ?? '';
    const header = UNITTEST_HEADER.exec(line) ?? RUNNER_HEADER.exec(line);
    if (header) pendingName = header[2] ?? header[1];
    if (line.startsWith(PY_TRACEBACK)) {
      const { failure, end } = pythonTraceback(lines, index, pendingName);
      failures.push(failure);
      pendingName = undefined;
      index = end - 1;
      continue;
    }
    if (PY_COMPILE_ERROR.test(line)) failures.push(pythonCompileError(lines, index));
    const summary = PYTEST_SUMMARY.exec(line);
    if (summary && line.includes('::'))
      failures.push({ name: summary[1], message: clip(summary[2] ?? 'failed') });
  }
  return failures;
}

/** node:assert and uncaught errors: the error line, the assertion's diff lines, the line in the program. */
function javascriptFailures(output: string): TestFailure[] {
  const lines = output.split('\n');
  const failures: TestFailure[] = [];
  let tapName: string | undefined;
  for (let index = 0; index < lines.length; index += 1) {
    const line = lines[index] ?? '';
    const tap = TAP_NOT_OK.exec(line);
    if (tap) tapName = tap[1];
    const error = JS_ERROR.exec(line.trim());
    if (!error) continue;
    const message = [line.trim()];
    let next = index + 1;
    for (
      ;
      next < lines.length && !/^\s+at /.test(lines[next] ?? '') && !/^\s*\{/.test(lines[next] ?? '');
      next += 1
    ) {
      message.push(lines[next] ?? '');
    }
    const frame = lines
      .slice(next, next + 12)
      .map((l) => JS_FRAME.exec(l))
      .find((m) => m !== null);
    const where = frame ? ` (line ${frame[2]}${frame[1] ? `, in ${frame[1]}` : ''})` : '';
    failures.push({ name: tapName, message: clip(`${message.join('\n').trim()}${where}`) });
    tapName = undefined;
    index = next - 1;
  }
  return failures;
}

/** Failures as far as the output of a failed run shows them; the first MAX_FAILURES. */
export function parseFailures(interpreter: 'python' | 'node', stdout: string, stderr: string): TestFailure[] {
  const combined = `${stdout}\n${stderr}`;
  const found = interpreter === 'python' ? pythonFailures(combined) : javascriptFailures(combined);
  const unique = found.filter(
    (f, i) => found.findIndex((o) => o.message === f.message && o.name === f.name) === i,
  );
  return unique.slice(0, MAX_FAILURES);
}

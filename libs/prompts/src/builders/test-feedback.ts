import type { ChatMessage, RunTestsOutput } from '@app/contracts';
import { clipInput } from './prompt-spec';

const FENCE = '```';
/** A 7B model fixes code from the first failures and the exception, not from pages of log. */
const MAX_FAILURES = 5;
const TAIL_LINES = 12;

function outcomeLine(run: RunTestsOutput, timeoutHint: string): string {
  if (run.status === 'timeout') return `The tests did not finish in time: ${timeoutHint}`;
  if (run.status === 'error') return 'The program did not compile or could not start:';
  return `The tests failed (exit code ${String(run.exit_code)}):`;
}

function failureLines(run: RunTestsOutput): string[] {
  return run.failures.slice(0, MAX_FAILURES).map((failure) => {
    const name = failure.name ? `${failure.name}: ` : '';
    return `- ${name}${clipInput('failureMessage', failure.message)}`;
  });
}

/** The last lines of the output: the last traceback frames and anything the tests printed about values. */
function outputTail(run: RunTestsOutput): string | undefined {
  const text = run.stderr.trim() || run.stdout.trim();
  if (text === '') return undefined;
  const tail = text.split('\n').slice(-TAIL_LINES).join('\n');
  return clipInput('outputTail', tail);
}

/**
 * What the code model needs from a failed run: the failing assertions or exception lines (with the
 * test line and, where the test shows them, expected vs actual) and the last lines of the output —
 * not the whole log (execution-feedback studies: the exception and the last frames carry the signal).
 */
export function describeTestRun(run: RunTestsOutput): string {
  const hint = 'look for an infinite loop or an algorithm that is too slow.';
  const parts = [outcomeLine(run, hint), ...failureLines(run)];
  const tail = outputTail(run);
  if (tail !== undefined && run.status !== 'timeout') parts.push(`Last lines of the output:\n${tail}`);
  return parts.join('\n');
}

/**
 * One repair round driven by execution: the original request, the code that failed as the model's turn,
 * and the real failures. Only the latest attempt is kept, so the prompt does not grow with the rounds.
 */
export function buildTestFeedbackMessages(
  original: ChatMessage[],
  failedCode: string,
  language: string,
  report: string,
): ChatMessage[] {
  return [
    ...original,
    { role: 'assistant', content: `${FENCE}${language}\n${clipInput('failedCode', failedCode)}\n${FENCE}` },
    {
      role: 'user',
      content:
        `Your code was run against the tests.\n${report}\n\n` +
        'Fix the code so that every test passes; do not change the tests. Answer again in exactly the ' +
        'requested format: one code block with the full corrected code, then one to three sentences.',
    },
  ];
}

import type { FormalizeTaskOutput } from '@app/contracts';

/** Where the tests of an agent run came from, best first (see docs: self-written tests can be wrong). */
export type TestsSource = 'user' | 'examples' | 'generated';

export interface TaskTests {
  source: Exclude<TestsSource, 'generated'>;
  code: string;
}

const FENCED = /```[\w+-]*\n([\s\S]*?)```/g;
const LOOKS_LIKE_TESTS = /\bassert\b|\bdef test_|\bunittest\b|node:assert|\bassert\.\w+\(/;
/** `>>> add(2, 3)` followed by `5` (HumanEval docstrings) */
const DOCTEST = /^\s*>>>\s*(.+)\n\s*(?!>>>)(\S.*)$/gm;
/** `add(2, 3) == 5`, `add(2, 3) -> 5`, `add(2, 3) => 5`, `add(2, 3) ➞ 5` on a line of their own */
const EXAMPLE_LINE = /^\s*(?:[-*]\s*)?([A-Za-z_]\w*\(.*\))\s*(?:==|->|=>|➞)\s*(.+?)\s*$/gm;

function userTests(task: string): string | undefined {
  const blocks = [...task.matchAll(FENCED)]
    .map((match) => match[1] ?? '')
    .filter((b) => LOOKS_LIKE_TESTS.test(b));
  return blocks.length > 0 ? blocks.join('\n\n').trim() : undefined;
}

function assertion(language: string, actual: string, expected: string): string {
  if (language === 'python')
    return `assert ${actual} == ${expected}, ${JSON.stringify(`${actual} should be ${expected}`)}`;
  return `require('node:assert').deepStrictEqual(${actual}, ${expected});`;
}

function exampleTests(task: string, language: string): string | undefined {
  const matches = [...task.matchAll(DOCTEST), ...task.matchAll(EXAMPLE_LINE)];
  const pairs = new Map<string, string>();
  for (const match of matches) {
    const [actual, expected] = [match[1]?.trim() ?? '', match[2]?.trim() ?? ''];
    if (actual && expected && !pairs.has(actual)) pairs.set(actual, expected);
  }
  const unique = [...pairs.entries()];
  if (unique.length === 0) return undefined;
  return unique.map(([actual, expected]) => assertion(language, actual, expected)).join('\n');
}

/**
 * Tests the task itself carries: the user's own (a fenced block of asserts or test functions), else the
 * examples it shows (`>>> f(x)` / `f(x) == y` lines) turned into asserts; undefined when it has neither.
 */
export function extractTestsFromTask(task: string, language: string): TaskTests | undefined {
  const user = userTests(task);
  if (user !== undefined) return { source: 'user', code: user };
  const examples = exampleTests(task, language);
  return examples === undefined ? undefined : { source: 'examples', code: examples };
}

/** The generate_code task that asks the code model for tests written from the acceptance criteria. */
export function buildTestWritingTask(task: string, language: string, spec?: FormalizeTaskOutput): string {
  const criteria = spec?.acceptance_criteria.length ? spec.acceptance_criteria : (spec?.requirements ?? []);
  const style =
    language === 'python'
      ? 'plain `assert` statements at top level'
      : "`const assert = require('node:assert');` and assert.deepStrictEqual / assert.strictEqual calls";
  return [
    `Write ONLY a short ${language} test program for the code described below — do not implement the code.`,
    `Use ${style}, one or two per acceptance criterion, calling the functions exactly as the task names them.`,
    'The tests are appended to the implementation and run; they must exit non-zero when a check fails.',
    '',
    `Task: ${task}`,
    criteria.length > 0 ? `Acceptance criteria:\n${criteria.map((c) => `- ${c}`).join('\n')}` : '',
  ]
    .join('\n')
    .trim();
}

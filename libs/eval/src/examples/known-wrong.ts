/**
 * Docstring examples that contradict the dataset's own canonical solution and hidden tests. Showing
 * them to the model as tests would push a repair loop away from correct code, so verified mode leaves
 * them out. Found by running every example against the canonical solutions (eval's own tests do so).
 */
export const KNOWN_WRONG_EXAMPLES: Readonly<Record<string, readonly string[]>> = {
  // the docstring says 15.0; the median of those six numbers (and the canonical solution) is 8.0
  'HumanEval/47': ['median([-10, 4, 6, 1000, 10, 20])'],
  // "tri(1) = 3", "tri(4) = 3" are values of the recurrence in prose, not calls (tri(n) returns a list)
  'HumanEval/130': ['tri(1)', 'tri(4)'],
  // ("Venus") is the string 'Venus' in Python; the function returns the 1-tuple ('Venus',)
  'HumanEval/148': ['bf("Earth", "Mercury")'],
  // example_test calls testfindZero() before defining it: a ReferenceError whatever the answer
  'JavaScript/32': ['*'],
};

/** Whether the example `source` (a call as written in the docstring) of `taskId` is known to be wrong. */
export function isKnownWrongExample(taskId: string, source: string): boolean {
  const wrong = KNOWN_WRONG_EXAMPLES[taskId] ?? [];
  return wrong.includes('*') || wrong.includes(source);
}

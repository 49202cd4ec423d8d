/** The two end-to-end scenarios of `npm run demo`. */
export interface DemoScenario {
  key: 'build' | 'fix';
  title: string;
  task: string;
  language: string;
}

export const BUGGY_SNIPPET = [
  'def is_palindrome(text):',
  '    text = text.lower()',
  '    for i in range(len(text)):',
  '        if text[i] != text[len(text) - i]:',
  '            return False',
  '    return True',
].join('\n');

export const DEMO_SCENARIOS: readonly DemoScenario[] = [
  {
    key: 'build',
    title: 'Scenario 1/2 — formalize → generate → review, from a one-line request',
    task: 'Write a function slugify(title) that turns an article title into a URL slug.',
    language: 'python',
  },
  {
    key: 'fix',
    title: 'Scenario 2/2 — review a buggy snippet and produce a corrected version',
    task: `Review this function and give me a corrected version:\n${BUGGY_SNIPPET}`,
    language: 'python',
  },
];

import { extractCodeBlock, stripCodeFences } from './code-blocks';
import { extractJson } from './extract-json';
import { parseGenerateCodeOutput } from './generate-output';
import { detectLanguage } from './language';
import { parseFormalizeOutput, parseReviewOutput } from './tool-outputs';

/**
 * Benchmark-style guard against catastrophic backtracking: every parser that sees user code or model output
 * gets 512 KB of the inputs that made the old ones quadratic. Linear parsers take well under a second here
 * (measured 0.05–0.8 s on a shared 2-core runner); the quadratic ones took 28 s to about an hour on the same
 * inputs, so the generous bound below never flakes on a slow machine and never passes a regression.
 */
const SIZE = 512 * 1024;
const BOUND_MS = 5_000;

const ADVERSARIAL: ReadonlyArray<readonly [string, string]> = [
  ['a + newlines + b', `a${'\n'.repeat(SIZE)}b`],
  ['blank lines with spaces', ' \n'.repeat(SIZE / 2)],
  ['an open fence over blank lines', `\`\`\`\n${'\n'.repeat(SIZE)}`],
  ['a line of backticks inside a fence', `\`\`\`\nx\n${'`'.repeat(SIZE)}x`],
  ['tabs after a closed fence', `\`\`\`\ncode\n\`\`\`\n${'\t'.repeat(SIZE)}x`],
  ['backticks before JSON', `${'`'.repeat(SIZE)}x {"a":1}`],
  ['SELECT without FROM', 'SELECT '.repeat(SIZE / 7)],
  ['function headers without a body', 'function ('.repeat(SIZE / 10)],
  ['a call followed by a run of spaces', `a()${' '.repeat(SIZE)}x`],
  ['many lines of a call and spaces', `a()${' '.repeat(2_000)}x\n`.repeat(SIZE / 2_000)],
];

const PARSERS: ReadonlyArray<readonly [string, (text: string) => unknown]> = [
  ['detectLanguage', detectLanguage],
  ['extractCodeBlock', (text) => extractCodeBlock(text)],
  ['stripCodeFences', stripCodeFences],
  ['parseGenerateCodeOutput', (text) => parseGenerateCodeOutput(text, 'python')],
  ['parseReviewOutput', parseReviewOutput],
  ['parseFormalizeOutput', parseFormalizeOutput],
  ['extractJson', extractJson],
];

describe('parsers run in linear time on adversarial input (512 KB each)', () => {
  it.each(PARSERS)(
    '%s',
    (_name, parse) => {
      const slow: string[] = [];
      for (const [label, text] of ADVERSARIAL) {
        const startedAt = performance.now();
        parse(text);
        const elapsed = performance.now() - startedAt;
        if (elapsed > BOUND_MS) slow.push(`${label}: ${Math.round(elapsed)} ms`);
      }
      expect(slow).toEqual([]);
    },
    120_000,
  );
});

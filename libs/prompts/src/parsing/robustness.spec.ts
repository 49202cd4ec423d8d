import { reviewCodeOutputSchema } from '@app/contracts';
import { extractCodeBlock } from './code-blocks';
import { extractJson } from './extract-json';
import { parseGenerateCodeOutput } from './generate-output';
import { parseStructured } from './parse-structured';

const REVIEW = JSON.stringify(
  {
    summary: 'Off by one.',
    verdict: 'request_changes',
    score: 4,
    issues: [{ severity: 'major', line: 3, message: 'reads past "end"', suggestion: 'use < n' }],
    corrected_code: 'for i in range(n):\n    print(i)',
  },
  null,
  2,
);
const NOISE = ['"', "'", ',', '{', '}', '[', ']', ':', '\\', '\n', '```', 'True', '//', '/*', ' ', 'x', '“'];

/** Deterministic damage: deletions, insertions of JSON-significant characters, and truncation. */
function damaged(seed: { n: number }): string {
  const next = (): number => (seed.n = (seed.n * 1103515245 + 12345) % 2 ** 31);
  let text = REVIEW;
  for (let edits = next() % 4; edits >= 0; edits--) {
    const at = next() % text.length;
    const insert = next() % 2 === 0 ? '' : (NOISE[next() % NOISE.length] ?? '');
    text = text.slice(0, at) + insert + text.slice(at + (next() % 3));
  }
  return next() % 3 === 0 ? text.slice(0, next() % text.length) : text;
}

describe('parsers on damaged answers (600 deterministic mutations)', () => {
  it('never throw and always return a result or an actionable error', () => {
    const seed = { n: 7 };
    let parsed = 0;
    for (let i = 0; i < 600; i++) {
      const text = damaged(seed);
      const json = extractJson(text);
      const review = parseStructured(text, reviewCodeOutputSchema);
      if (json.ok) parsed++;
      else expect(json.error).toMatch(/^(invalid JSON: expected .* at line \d+ col \d+ \(|no JSON)/);
      if (!review.ok) expect(review.error.length).toBeGreaterThan(10);
      expect(() => extractCodeBlock(text)).not.toThrow();
      expect(() => parseGenerateCodeOutput(text, 'python')).not.toThrow();
    }
    // Most single-character damage is repairable; the rest must fail loudly, as checked above.
    expect(parsed).toBeGreaterThan(500);
  });
});

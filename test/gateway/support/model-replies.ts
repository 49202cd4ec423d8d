/** Realistic code-model answers for the three tools, as the emulator returns them. */
export const FORMALIZE_REPLY = JSON.stringify({
  title: 'Merge intervals',
  summary: 'Write a function that merges overlapping closed intervals.',
  requirements: ['Accept a list of [start, end] pairs', 'Return merged, sorted intervals'],
  acceptance_criteria: ['merge([[1,3],[2,6]]) returns [[1,6]]'],
  constraints: ['O(n log n)'],
  assumptions: ['Intervals are closed'],
  open_questions: ['Should touching intervals merge?'],
});

export const GENERATE_REPLY =
  '```python\ndef merge(intervals):\n    out = []\n    for s, e in sorted(intervals):\n        if out and s <= out[-1][1]:\n            out[-1][1] = max(out[-1][1], e)\n        else:\n            out.append([s, e])\n    return out\n```\nSorts by start and extends the last interval while they overlap.';

export const REVIEW_REPLY = JSON.stringify({
  summary: 'Correct but divides without checking for zero.',
  verdict: 'request_changes',
  score: 6,
  issues: [
    { severity: 'major', line: 2, message: 'Division by zero when b is 0', suggestion: 'Check b first' },
  ],
});

/** Splits a reply into stream chunks of `size` characters (the emulator streams them as SSE deltas). */
export function chunksOf(text: string, size = 8): string[] {
  const chunks: string[] = [];
  for (let i = 0; i < text.length; i += size) chunks.push(text.slice(i, i + size));
  return chunks;
}

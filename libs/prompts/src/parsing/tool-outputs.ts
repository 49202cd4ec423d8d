import {
  formalizeTaskOutputSchema,
  reviewCodeOutputSchema,
  type FormalizeTaskOutput,
  type ReviewCodeOutput,
} from '@app/contracts';
import { selectCodeBlock, stripCodeFences } from './code-blocks';
import { parseStructured, type StructuredParse } from './parse-structured';

export function parseFormalizeOutput(text: string): StructuredParse<FormalizeTaskOutput> {
  return parseStructured(text, formalizeTaskOutputSchema);
}

/** Models echo the "  7 | " prefixes of the numbered listing into corrected code; remove them when every line has one. */
function stripLineNumbers(code: string): string {
  const lines = code.split('\n');
  const numbered = /^\s*\d+ \| ?/;
  if (!lines.filter((l) => l.trim() !== '').every((l) => numbered.test(l))) return code;
  return lines.map((l) => l.replace(numbered, '')).join('\n');
}

function cleanCorrectedCode(code: string): string {
  return stripLineNumbers(stripCodeFences(code));
}

/**
 * parseStructured for review_code, plus two review-specific clean-ups: corrected code loses fences and
 * echoed line numbers, and a corrected version the model put in a fenced block after the JSON (instead
 * of inside it) is picked up when the verdict asks for changes.
 */
export function parseReviewOutput(text: string): StructuredParse<ReviewCodeOutput> {
  const parsed = parseStructured(text, reviewCodeOutputSchema);
  if (!parsed.ok) return parsed;
  const review = { ...parsed.value };
  const repairs = [...parsed.repairs];
  if (review.corrected_code !== undefined) {
    const cleaned = cleanCorrectedCode(review.corrected_code);
    if (cleaned !== review.corrected_code) repairs.push('corrected_code_cleaned');
    review.corrected_code = cleaned;
  } else if (review.verdict === 'request_changes') {
    const block = selectCodeBlock(text);
    if (block && block.tag !== 'json' && !/^\s*[[{]/.test(block.code)) {
      review.corrected_code = stripLineNumbers(block.code);
      repairs.push('corrected_code_from_block');
    }
  }
  return { ok: true, value: review, repairs };
}

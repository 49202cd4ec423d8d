import { TOOL_CONTRACTS, type ReviewCodeInput } from '@app/contracts';
import { detectLanguage, normalizeLanguage } from '../parsing/language';
import {
  bulletList,
  clipInput,
  joinSections,
  numberLines,
  PROMPT_INPUT_BUDGETS,
  section,
  type PromptSpec,
} from './prompt-spec';
import { renderSpec } from './spec-text';

const FENCE = '```';

const EXAMPLE = JSON.stringify({
  summary: 'Correct for most inputs, but crashes on an empty list.',
  verdict: 'request_changes',
  score: 5,
  issues: [
    {
      severity: 'major',
      line: 2,
      message: 'items[0] fails on []',
      suggestion: 'Return None when items is empty',
    },
  ],
  corrected_code: 'def first(items):\n    return items[0] if items else None',
});

const SYSTEM = `You are a careful senior code reviewer. Check correctness first, then security, then clarity.
The code lines are numbered as "N | code"; cite N in "line".
Reply with ONE JSON object and nothing else (no prose, no code fences):
summary (1-2 sentences), verdict ("approve" or "request_changes"), score (0-10),
issues (list of {severity: "critical"|"major"|"minor"|"info", line, message, suggestion}; [] if none).
Use "request_changes" when there is any critical or major issue, and then add corrected_code:
the complete corrected code WITHOUT line numbers. When you approve, leave corrected_code out.
Example:
${EXAMPLE}`;

function specText(spec: ReviewCodeInput['spec']): string | undefined {
  if (spec === undefined) return undefined;
  return clipInput('spec', typeof spec === 'string' ? spec : renderSpec(spec));
}

/** Room for the JSON plus, when changes are requested, a full corrected copy of the code. */
function reviewTokenBudget(code: string): number {
  const approxCodeTokens = Math.ceil(Math.min(code.length, PROMPT_INPUT_BUDGETS.reviewCode) / 3);
  return Math.min(4096, 700 + approxCodeTokens);
}

export function buildReviewCodePrompt(input: ReviewCodeInput): PromptSpec {
  const language =
    input.language === undefined ? detectLanguage(input.code) : normalizeLanguage(input.language);
  const numbered = clipInput('reviewCode', numberLines(input.code));
  const user = joinSections([
    section('What the code should do', specText(input.spec)),
    input.focus === undefined ? undefined : `Focus on:\n${bulletList(input.focus)}`,
    `Code to review${language === undefined ? '' : ` (${language})`}:\n${FENCE}\n${numbered}\n${FENCE}`,
  ]);
  return {
    messages: [
      { role: 'system', content: SYSTEM },
      { role: 'user', content: user },
    ],
    maxTokens: reviewTokenBudget(input.code),
    temperature: 0.1,
    jsonSchema: { name: 'review_code_output', schema: TOOL_CONTRACTS.review_code.outputJsonSchema },
  };
}

import { TOOL_CONTRACTS, type FormalizeTaskInput } from '@app/contracts';
import { normalizeLanguage } from '../parsing/language';
import { clipInput, joinSections, section, type PromptSpec } from './prompt-spec';

/** One compact example: small models copy the shape of an example far more reliably than a schema. */
const EXAMPLE = JSON.stringify({
  title: 'Merge intervals',
  summary: 'Write a function that merges overlapping closed intervals and returns them sorted.',
  language: 'python',
  requirements: ['Accept a list of [start, end] pairs', 'Return merged intervals sorted by start'],
  acceptance_criteria: ['merge([[1,3],[2,6],[8,10]]) returns [[1,6],[8,10]]', 'merge([]) returns []'],
  constraints: ['O(n log n) time'],
  assumptions: ['Intervals are closed: [1,2] and [2,3] overlap'],
  open_questions: ['Can the input contain start > end?'],
});

const SYSTEM = `You turn a programming request into a precise, testable specification.
Reply with ONE JSON object and nothing else (no prose, no code fences) with these keys:
title (short), summary (1-2 sentences), language (if known), requirements, acceptance_criteria,
constraints, assumptions, open_questions (each a list of short strings; [] when there are none).
Example:
${EXAMPLE}`;

export function buildFormalizePrompt(input: FormalizeTaskInput): PromptSpec {
  const user = joinSections([
    section('Task', clipInput('task', input.task)),
    input.language === undefined ? undefined : `Language: ${normalizeLanguage(input.language)}`,
    section('Context', input.context === undefined ? undefined : clipInput('taskContext', input.context)),
  ]);
  return {
    messages: [
      { role: 'system', content: SYSTEM },
      { role: 'user', content: user },
    ],
    maxTokens: 800,
    temperature: 0.2,
    jsonSchema: { name: 'formalize_task_output', schema: TOOL_CONTRACTS.formalize_task.outputJsonSchema },
  };
}

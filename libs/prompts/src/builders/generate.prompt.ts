import type { GenerateCodeInput } from '@app/contracts';
import { normalizeLanguage } from '../parsing/language';
import { clipInput, joinSections, section, type PromptSpec } from './prompt-spec';
import { renderSpec } from './spec-text';

const FENCE = '```';

/*
 * Why no JSON here: asking a 7B code model to put code inside a JSON string means it must escape every
 * quote, backslash and newline — exactly where StarCoder2 and Mistral-7B fail most (raw newlines, "\d",
 * unescaped quotes), and a constrained decoder makes the code itself worse. A fenced block is the format
 * code models saw most in training. So the prompt asks for one fenced block plus a short explanation,
 * `jsonSchema` stays unset, and parseGenerateCodeOutput() reads that format (and JSON, if a model insists).
 */
function systemPrompt(language: string): string {
  return `You are an expert ${language} programmer. Write complete, working ${language} code for the task.
Reply in exactly this format:
${FENCE}${language}
<the full code, with any imports it needs>
${FENCE}
<one to three sentences on how the code meets the task>
Write only one code block. Do not add tests or example usage unless the task asks for them.`;
}

export function buildGenerateCodePrompt(input: GenerateCodeInput): PromptSpec {
  const language = normalizeLanguage(input.language);
  const context = input.context === undefined ? undefined : clipInput('context', input.context);
  const user = joinSections([
    section('Task', input.task === undefined ? undefined : clipInput('task', input.task)),
    input.spec === undefined
      ? undefined
      : section('Specification', clipInput('spec', renderSpec(input.spec))),
    context === undefined
      ? undefined
      : `Existing code the new code must fit into:\n${FENCE}${language}\n${context}\n${FENCE}`,
    input.tests === undefined
      ? undefined
      : `Tests the code must pass (they are appended to your code and run):\n${FENCE}${language}\n${clipInput('tests', input.tests)}\n${FENCE}`,
  ]);
  return {
    messages: [
      { role: 'system', content: systemPrompt(language) },
      { role: 'user', content: user },
    ],
    maxTokens: 1536,
    temperature: 0.2,
  };
}

import {
  formalizeTaskInputSchema,
  generateCodeInputSchema,
  reviewCodeInputSchema,
  validate,
  type ChatMessage,
} from '@app/contracts';
import type { z } from 'zod';
import { buildFormalizePrompt } from '../builders/formalize.prompt';
import { buildGenerateCodePrompt } from '../builders/generate.prompt';
import { buildReviewCodePrompt } from '../builders/review.prompt';
import { PromptError } from '../prompts.errors';

export interface PromptArgument {
  name: string;
  description: string;
  required: boolean;
}

/** An MCP prompt (`prompts/list`, `prompts/get`). MCP prompt messages have only user/assistant roles. */
export interface PromptTemplate {
  name: string;
  title: string;
  description: string;
  arguments: PromptArgument[];
  render(args: Record<string, string>): ChatMessage[];
}

/** MCP has no system role in prompt messages: the instructions lead the first user message instead. */
function foldSystem(messages: ChatMessage[]): ChatMessage[] {
  const system = messages.filter((m) => m.role === 'system').map((m) => m.content);
  const rest = messages.filter((m) => m.role !== 'system');
  const [first, ...others] = rest;
  if (first === undefined) return [{ role: 'user', content: system.join('\n\n') }];
  return [{ ...first, content: [...system, first.content].join('\n\n') }, ...others];
}

/** Prompt arguments are strings; the contract schema checks them so prompts and tools accept the same input. */
function checked<S extends z.ZodType>(
  promptName: string,
  schema: S,
  input: Record<string, unknown>,
): z.output<S> {
  const result = validate(schema, input);
  if (!result.ok) throw new PromptError('INVALID_ARGUMENTS', `prompt "${promptName}": ${result.message}`);
  return result.value;
}

/** Only the arguments that were given: an empty string counts as absent (MCP clients send "" for blanks). */
function present(args: Record<string, string>, names: readonly string[]): Record<string, string> {
  return Object.fromEntries(
    names.flatMap((n) => (args[n] !== undefined && args[n] !== '' ? [[n, args[n]]] : [])),
  );
}

function splitList(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  return value
    .split(/[,\n]/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

const LANGUAGE_ARGUMENT: PromptArgument = {
  name: 'language',
  description: 'Programming language, e.g. python, typescript',
  required: false,
};

export const PROMPT_TEMPLATES: readonly PromptTemplate[] = [
  {
    name: 'formalize_task',
    title: 'Formalize a task',
    description: 'Turn a request in plain words into a specification (requirements, acceptance criteria, …).',
    arguments: [
      { name: 'task', description: 'The request in plain words', required: true },
      { name: 'context', description: 'Background: existing code, domain notes', required: false },
      LANGUAGE_ARGUMENT,
    ],
    render: (args) => {
      const input = checked(
        'formalize_task',
        formalizeTaskInputSchema,
        present(args, ['task', 'context', 'language']),
      );
      return foldSystem(buildFormalizePrompt(input).messages);
    },
  },
  {
    name: 'generate_code',
    title: 'Generate code',
    description: 'Ask for complete code for a task, as one fenced code block plus a short explanation.',
    arguments: [
      { name: 'task', description: 'What to write, in plain words', required: true },
      LANGUAGE_ARGUMENT,
      { name: 'context', description: 'Existing code the new code must fit into', required: false },
    ],
    render: (args) => {
      const input = checked(
        'generate_code',
        generateCodeInputSchema,
        present(args, ['task', 'language', 'context']),
      );
      return foldSystem(buildGenerateCodePrompt(input).messages);
    },
  },
  {
    name: 'review_code',
    title: 'Review code',
    description:
      'Review code for correctness, security and clarity; answer as JSON with a verdict and issues.',
    arguments: [
      { name: 'code', description: 'The code to review', required: true },
      LANGUAGE_ARGUMENT,
      { name: 'spec', description: 'What the code is meant to do', required: false },
      {
        name: 'focus',
        description: 'Comma-separated aspects to look at first, e.g. "security, performance"',
        required: false,
      },
    ],
    render: (args) => {
      const given = present(args, ['code', 'language', 'spec', 'focus']);
      const input = checked('review_code', reviewCodeInputSchema, {
        ...given,
        focus: splitList(given.focus),
      });
      return foldSystem(buildReviewCodePrompt(input).messages);
    },
  },
];

export function findPromptTemplate(name: string): PromptTemplate {
  const template = PROMPT_TEMPLATES.find((t) => t.name === name);
  if (!template) {
    const known = PROMPT_TEMPLATES.map((t) => t.name).join(', ');
    throw new PromptError('UNKNOWN_PROMPT', `unknown prompt "${name}"; available: ${known}`);
  }
  return template;
}

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

interface TemplateSpec<S extends z.ZodType> extends Omit<PromptTemplate, 'render'> {
  schema: S;
  /** turns the given string arguments into the tool's input shape (default: as they are) */
  toInput?: (given: Record<string, string>) => Record<string, unknown>;
  build: (input: z.output<S>) => { messages: ChatMessage[] };
}

/** The one render path: keep the declared arguments that were given, check them against the tool's contract, build. */
function defineTemplate<S extends z.ZodType>(spec: TemplateSpec<S>): PromptTemplate {
  const { schema, toInput = (given) => given, build, ...template } = spec;
  const names = template.arguments.map((argument) => argument.name);
  return {
    ...template,
    render: (args) => {
      const input = checked(template.name, schema, toInput(present(args, names)));
      return foldSystem(build(input).messages);
    },
  };
}

export const PROMPT_TEMPLATES: readonly PromptTemplate[] = [
  defineTemplate({
    name: 'formalize_task',
    title: 'Formalize a task',
    description: 'Turn a request in plain words into a specification (requirements, acceptance criteria, …).',
    arguments: [
      { name: 'task', description: 'The request in plain words', required: true },
      { name: 'context', description: 'Background: existing code, domain notes', required: false },
      LANGUAGE_ARGUMENT,
    ],
    schema: formalizeTaskInputSchema,
    build: buildFormalizePrompt,
  }),
  defineTemplate({
    name: 'generate_code',
    title: 'Generate code',
    description: 'Ask for complete code for a task, as one fenced code block plus a short explanation.',
    arguments: [
      { name: 'task', description: 'What to write, in plain words', required: true },
      LANGUAGE_ARGUMENT,
      { name: 'context', description: 'Existing code the new code must fit into', required: false },
    ],
    schema: generateCodeInputSchema,
    build: buildGenerateCodePrompt,
  }),
  defineTemplate({
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
    schema: reviewCodeInputSchema,
    toInput: (given) => ({ ...given, focus: splitList(given.focus) }),
    build: buildReviewCodePrompt,
  }),
];

export function findPromptTemplate(name: string): PromptTemplate {
  const template = PROMPT_TEMPLATES.find((t) => t.name === name);
  if (!template) {
    const known = PROMPT_TEMPLATES.map((t) => t.name).join(', ');
    throw new PromptError('UNKNOWN_PROMPT', `unknown prompt "${name}"; available: ${known}`);
  }
  return template;
}

import type { ChatMessage, JsonSchema, ToolDefinition } from '@app/contracts';

/** The pseudo-tool a text-format planner calls to finish; never sent to the gateway. */
export const FINAL_ANSWER_TOOL = 'final_answer';

/**
 * Placeholders the planner may write instead of copying large values between tools: 7B models corrupt
 * long code when they have to repeat it inside JSON, so the agent substitutes the real value.
 */
export const ARGUMENT_REFERENCES = {
  lastSpec: '$last_spec',
  lastCode: '$last_code',
  tests: '$tests',
} as const;

/** Stop sequences for the text format: the model must not invent the observation itself. */
export const PLANNER_STOP_SEQUENCES: readonly string[] = ['\nObservation:', '\nOBSERVATION:', '</action>'];

const ROLE_INSTRUCTIONS = [
  'You are the planner of a coding agent. You solve the task by calling tools; you never write code yourself.',
  'Usual plan: formalize_task on the request, then generate_code with "spec": "$last_spec" (the agent adds the',
  'tests: the code is run against them and repaired), then review_code with "code": "$last_code". If the review',
  'requests changes, call generate_code again with the review in "context". run_tests runs "$last_code" against',
  '"$tests" (the tests of this run). To reuse earlier results without copying them, write "$last_spec" (latest',
  'formalize_task output), "$last_code" (latest code) or "$tests" as an argument value. Finish as soon as the code',
  'passes its tests and is reviewed, or the task is answered.',
].join('\n');

const TEXT_FORMAT_INSTRUCTIONS = [
  'Reply with exactly ONE action as a single JSON object and nothing else:',
  '{"tool": "<tool name>", "arguments": {<arguments>}}',
  'When you are done, reply with:',
  `{"tool": "${FINAL_ANSWER_TOOL}", "arguments": {"answer": "<a short summary for the user>"}}`,
  'Example:',
  '{"tool": "generate_code", "arguments": {"spec": "$last_spec", "language": "python"}}',
].join('\n');

function describeType(schema: unknown): string {
  if (typeof schema !== 'object' || schema === null) return 'any';
  const { type, enum: values } = schema as { type?: unknown; enum?: unknown };
  if (Array.isArray(values)) return values.map((v) => JSON.stringify(v)).join('|');
  if (typeof type === 'string') return type;
  return 'object';
}

/** `task: string (required), language: string` — compact enough for a 7B model's attention. */
export function describeArguments(schema: JsonSchema): string {
  const properties = (schema.properties ?? {}) as Record<string, unknown>;
  const required = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
  const parts = Object.entries(properties).map(
    ([name, property]) => `${name}: ${describeType(property)}${required.has(name) ? ' (required)' : ''}`,
  );
  return parts.length > 0 ? parts.join(', ') : '(none)';
}

/** One line per tool: name, description, arguments. */
export function renderToolCatalog(tools: readonly ToolDefinition[]): string {
  return tools
    .map((tool) => `- ${tool.name}: ${tool.description}\n  arguments: ${describeArguments(tool.parameters)}`)
    .join('\n');
}

export interface PlannerPromptInput {
  task: string;
  language?: string;
  tools: readonly ToolDefinition[];
  /** text format: the action format and the tool catalog go into the prompt */
  textFormat: boolean;
}

function describeTask(task: string, language: string | undefined): string {
  const target = language ? `\nTarget language: ${language}` : '';
  return `Task: ${task}${target}`;
}

/** The planner's instructions; a separate string so callers can fold it or send it as a system turn. */
export function buildPlannerInstructions(input: Pick<PlannerPromptInput, 'tools' | 'textFormat'>): string {
  if (!input.textFormat) return ROLE_INSTRUCTIONS;
  return `${ROLE_INSTRUCTIONS}\n\nTools:\n${renderToolCatalog(input.tools)}\n\n${TEXT_FORMAT_INSTRUCTIONS}`;
}

/**
 * The opening user turn. Mistral-7B-Instruct v0.2's template (and the local-models runtime that applies it)
 * rejects a `system` role, so the instructions are always folded into the first user message.
 */
export function buildPlannerOpening(input: PlannerPromptInput): ChatMessage {
  const content = `${buildPlannerInstructions(input)}\n\n${describeTask(input.task, input.language)}`;
  return { role: 'user', content };
}

/** Folds any system turns into the first user turn (for runtimes whose template rejects `system`). */
export function foldSystemMessages(messages: readonly ChatMessage[]): ChatMessage[] {
  const system = messages.filter((m) => m.role === 'system').map((m) => m.content);
  const rest = messages.filter((m) => m.role !== 'system');
  if (system.length === 0) return [...rest];
  const firstUser = rest.findIndex((m) => m.role === 'user');
  if (firstUser < 0) return [{ role: 'user', content: system.join('\n\n') }, ...rest];
  return rest.map((m, i) =>
    i === firstUser ? { ...m, content: `${system.join('\n\n')}\n\n${m.content}` } : m,
  );
}

/** What a successful tool call looks like to the planner. */
export function renderObservation(tool: string, body: string): string {
  return `Observation from ${tool}:\n${body}`;
}

/** A failed tool call: shown to the planner so it can change course. */
export function renderToolError(tool: string, message: string): string {
  return `Observation from ${tool}: the tool failed: ${message}\nChoose another action, or fix the arguments.`;
}

/** An unusable reply: the exact problem, then the format again (text mode) so the model can correct itself. */
export function renderFormatError(problem: string, textFormat: boolean): string {
  const reminder = textFormat
    ? `\n${TEXT_FORMAT_INSTRUCTIONS}`
    : '\nCall exactly one of the tools with valid arguments.';
  return `Error: your last reply could not be used: ${problem}${reminder}`;
}

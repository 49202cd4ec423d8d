import type { ChatMessage, JsonSchema } from '@app/contracts';

/** Everything a model call needs besides the endpoint: messages, sampling defaults, optional output schema. */
export interface PromptSpec {
  messages: ChatMessage[];
  maxTokens: number;
  temperature: number;
  stop?: string[];
  /** passed to backends that constrain output (`response_format: json_schema`); otherwise parse and repair */
  jsonSchema?: { name: string; schema: JsonSchema };
}

/**
 * 7B models have 4k–32k tokens of context and lose the instructions when buried under a long input.
 * Long inputs keep their head and tail (signatures and the end of the file matter most) with a marker
 * saying how much was left out, so the model knows it is not seeing everything.
 */
export function clip(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  const head = Math.ceil(maxChars * 0.7);
  const tail = maxChars - head;
  const omitted = text.length - head - tail;
  return `${text.slice(0, head)}\n[… ${omitted} characters omitted …]\n${text.slice(text.length - tail)}`;
}

/**
 * The one clipping policy: every free-text input that reaches a prompt has a budget here, and is clipped by
 * `clipInput` (head and tail kept, marker in between). A budget per kind, not per builder, so a new input
 * (a spec rendered from tens of thousands of requirements went to the model whole) cannot bypass it.
 */
export const PROMPT_INPUT_BUDGETS = {
  task: 8_000,
  /** existing code for formalize_task (the task matters more there) */
  taskContext: 12_000,
  /** existing code the generated code must fit into */
  context: 16_000,
  /** a formalize_task output or a text spec, rendered */
  spec: 8_000,
  /** numbered code under review; beyond it the review would not fit a 16k-token context */
  reviewCode: 24_000,
  /** tests the generated code must pass (shown to the model; the sandbox runs them whole) */
  tests: 8_000,
  /** one failing assertion or exception fed back after a test run (a 7B model fixes from the first lines) */
  failureMessage: 600,
  /** the last lines of a failed run's output: the last traceback frames */
  outputTail: 1_500,
  /** the code that failed its tests, shown back to the model in the repair round */
  failedCode: 12_000,
  /** an unusable answer sent back in the repair round */
  badOutput: 6_000,
} as const;

export type PromptInput = keyof typeof PROMPT_INPUT_BUDGETS;

export function clipInput(input: PromptInput, text: string): string {
  return clip(text, PROMPT_INPUT_BUDGETS[input]);
}

/** "   7 | code": the numbers let a reviewer model cite `line` without counting. */
export function numberLines(code: string): string {
  const lines = code.replace(/\r\n/g, '\n').split('\n');
  const width = String(lines.length).length;
  return lines.map((line, i) => `${String(i + 1).padStart(width)} | ${line}`).join('\n');
}

/** A Markdown list, or "(none)" so an empty section is visibly empty rather than missing. */
export function bulletList(items: readonly string[]): string {
  return items.length === 0 ? '(none)' : items.map((item) => `- ${item}`).join('\n');
}

export function section(title: string, body: string | undefined): string | undefined {
  return body === undefined || body.trim() === '' ? undefined : `${title}:\n${body.trim()}`;
}

export function joinSections(parts: ReadonlyArray<string | undefined>): string {
  return parts.filter((p): p is string => p !== undefined).join('\n\n');
}

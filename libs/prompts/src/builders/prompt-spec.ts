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

import type { EvalLanguage, EvalProblem } from '../datasets/problem';

/** Whether the answer defined the entry point itself or only wrote the body that completes the prompt. */
export type CompletionShape = 'function' | 'body';

/** A program ready for the sandbox (the sandbox runs `code` then `tests` as one file), or why not. */
export type Assembly =
  { ok: true; code: string; tests: string; shape: CompletionShape } | { ok: false; message: string };

/** One per language: how a completion joins the prompt, the way the dataset's own harness joins them. */
export interface ProgramAssembler {
  readonly language: EvalLanguage;
  assemble(problem: EvalProblem, completion: string): Assembly;
}

/** CRLF to LF, trailing blanks gone; empty when the answer holds nothing but whitespace. */
export function normalizeCompletion(completion: string): string {
  return completion.replace(/\r\n?/g, '\n').trimEnd();
}

export function noCode(): Assembly {
  return { ok: false, message: 'the answer contains no code' };
}

export function withNewline(text: string): string {
  return text.endsWith('\n') ? text : `${text}\n`;
}

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

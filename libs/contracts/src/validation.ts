import { z } from 'zod';
import { FieldError } from './errors';

export type ValidationResult<T> =
  { ok: true; value: T } | { ok: false; errors: FieldError[]; message: string };

function describePath(path: readonly PropertyKey[]): string {
  return path.length === 0 ? '(root)' : path.map(String).join('.');
}

/** Field-level issues from zod, each with a dotted path a person can find in their request. */
export function toFieldErrors(error: z.ZodError): FieldError[] {
  return error.issues.map((issue) => ({ path: describePath(issue.path), message: issue.message }));
}

/** One line summarising all field errors, e.g. `task: must not be empty; language: expected string`. */
export function summarizeFieldErrors(errors: FieldError[]): string {
  return errors.map((e) => `${e.path}: ${e.message}`).join('; ');
}

export function validate<S extends z.ZodType>(schema: S, value: unknown): ValidationResult<z.output<S>> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return { ok: true, value: parsed.data };
  const errors = toFieldErrors(parsed.error);
  return { ok: false, errors, message: summarizeFieldErrors(errors) };
}

import { validate } from '@app/contracts';
import { z } from 'zod';
import { extractJson } from './extract-json';
import { normalizeForSchema } from './schema-normalize';

export type StructuredParse<T> = { ok: true; value: T; repairs: string[] } | { ok: false; error: string };

/**
 * JSON extraction plus schema validation. Repairs list both the JSON repairs ("trailing_comma") and the
 * schema-guided ones ("enum_value@verdict"); the error names every failing field so one repair round
 * can fix them all.
 */
export function parseStructured<S extends z.ZodType>(text: string, schema: S): StructuredParse<z.output<S>> {
  const extracted = extractJson(text);
  if (!extracted.ok) return extracted;
  const normalized = normalizeForSchema(extracted.value, schema);
  const checked = validate(schema, normalized.value);
  if (!checked.ok)
    return { ok: false, error: `the JSON does not match the expected shape: ${checked.message}` };
  return { ok: true, value: checked.value, repairs: [...extracted.repairs, ...normalized.repairs] };
}

import { z } from 'zod';

/**
 * Schema-guided leniency for the quirks small models show in otherwise good JSON: a wrapper object
 * (`{"result": {...}}`), a string where a list of strings belongs, `"7"` for 7, `null` for an omitted
 * optional field, enum values in the wrong case or form ("Request Changes", "approved"). It walks the
 * zod schema, so it works for every contract without per-tool special cases. It never invents content:
 * anything it cannot map stays as it was and zod reports it.
 */
export interface Normalization {
  value: unknown;
  repairs: string[];
}

type Repairs = string[];

function at(kind: string, path: string): string {
  return path ? `${kind}@${path}` : kind;
}

function join(path: string, key: string | number): string {
  return path ? `${path}.${key}` : String(key);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Optional/nullable/default wrappers: the inner schema, and whether absence (undefined) is allowed. */
function unwrap(schema: z.ZodType): { inner: z.ZodType; optional: boolean; nullable: boolean } {
  let inner = schema;
  let optional = false;
  let nullable = false;
  for (;;) {
    if (inner instanceof z.ZodOptional || inner instanceof z.ZodDefault) optional = true;
    else if (inner instanceof z.ZodNullable) nullable = true;
    else return { inner, optional, nullable };
    inner = (inner as z.ZodOptional<z.ZodType>).unwrap();
  }
}

export function normalizeForSchema(value: unknown, schema: z.ZodType): Normalization {
  const repairs: Repairs = [];
  return { value: normalize(value, schema, '', repairs), repairs };
}

function normalize(value: unknown, schema: z.ZodType, path: string, repairs: Repairs): unknown {
  const { inner } = unwrap(schema);
  if (inner instanceof z.ZodObject) return normalizeObject(value, inner, path, repairs);
  if (inner instanceof z.ZodArray) return normalizeArray(value, inner, path, repairs);
  if (inner instanceof z.ZodNumber) return normalizeNumber(value, inner.maxValue ?? Infinity, path, repairs);
  if (inner instanceof z.ZodBoolean) return normalizeBoolean(value, path, repairs);
  if (inner instanceof z.ZodEnum)
    return normalizeEnum(value, inner.options as readonly string[], path, repairs);
  if (inner instanceof z.ZodString) return normalizeString(value, path, repairs);
  return value;
}

function normalizeObject(value: unknown, schema: z.ZodObject, path: string, repairs: Repairs): unknown {
  const shape = schema.shape as Record<string, z.ZodType>;
  const candidate = unwrapContainer(value, shape, path, repairs);
  if (!isPlainObject(candidate)) return candidate;
  const result = renameLookalikeKeys(candidate, shape, path, repairs);
  for (const [key, field] of Object.entries(shape)) {
    normalizeField(result, key, field, join(path, key), repairs);
  }
  return result;
}

function normalizeField(
  target: Record<string, unknown>,
  key: string,
  field: z.ZodType,
  path: string,
  repairs: Repairs,
): void {
  const { inner, optional, nullable } = unwrap(field);
  const current = target[key];
  if (current === null && optional && !nullable) {
    delete target[key];
    repairs.push(at('dropped_null', path));
  } else if (current === undefined && !optional && inner instanceof z.ZodArray) {
    // 7B models omit empty lists ("no open questions") more often than they get anything else wrong.
    target[key] = [];
    repairs.push(at('missing_array', path));
  } else if (current !== undefined) {
    target[key] = normalize(current, field, path, repairs);
  }
}

function keyForm(key: string): string {
  return key.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** "acceptanceCriteria", "Acceptance Criteria" or "acceptance-criteria" for acceptance_criteria. */
function renameLookalikeKeys(
  value: Record<string, unknown>,
  shape: Record<string, z.ZodType>,
  path: string,
  repairs: Repairs,
): Record<string, unknown> {
  const result: Record<string, unknown> = { ...value };
  for (const key of Object.keys(value)) {
    if (key in shape) continue;
    const target = Object.keys(shape).find((k) => keyForm(k) === keyForm(key) && !(k in result));
    if (target === undefined) continue;
    result[target] = result[key];
    delete result[key];
    repairs.push(at(`renamed_key:${key}`, join(path, target)));
  }
  return result;
}

/**
 * `{"result": {...}}`, `{"review": {...}}` or `[{...}]` around the expected object: unwrap it when
 * none of the outer keys belong to the schema and exactly one value is an object.
 */
function unwrapContainer(
  value: unknown,
  shape: Record<string, z.ZodType>,
  path: string,
  repairs: Repairs,
): unknown {
  if (Array.isArray(value) && value.length === 1 && isPlainObject(value[0])) {
    repairs.push(at('unwrapped_array', path));
    return value[0];
  }
  if (!isPlainObject(value)) return value;
  const keys = Object.keys(value);
  const expected = new Set(Object.keys(shape).map(keyForm));
  if (keys.length === 0 || keys.some((k) => expected.has(keyForm(k)))) return value;
  const objects = keys.filter((k) => isPlainObject(value[k]));
  const only = objects.length === 1 ? objects[0] : undefined;
  if (only === undefined) return value;
  repairs.push(at(`unwrapped:${only}`, path));
  return value[only];
}

function normalizeArray(value: unknown, schema: z.ZodArray, path: string, repairs: Repairs): unknown {
  const element = schema.element as z.ZodType;
  if (value === null) {
    repairs.push(at('null_to_empty_array', path));
    return [];
  }
  if (!Array.isArray(value)) {
    if (typeof value !== 'string' || !(unwrap(element).inner instanceof z.ZodString)) return value;
    repairs.push(at('string_to_array', path));
    return value.trim() === '' ? [] : [value];
  }
  return value.map((item, index) => normalize(item, element, join(path, index), repairs));
}

/**
 * "7", "7.5", " 9 " → numbers; a fraction ("85/100", "4/5") is rescaled to the schema's maximum when it
 * has one (a 0–10 score). Anything wordier is left for zod to reject.
 */
function normalizeNumber(value: unknown, max: number, path: string, repairs: Repairs): unknown {
  if (typeof value !== 'string') return value;
  const match = /^\s*(-?\d+(?:\.\d+)?)\s*(?:\/\s*(\d+(?:\.\d+)?))?\s*$/.exec(value);
  if (!match) return value;
  const [, numerator = '', denominator] = match;
  if (denominator === undefined) {
    repairs.push(at('number_from_string', path));
    return Number(numerator);
  }
  if (!Number.isFinite(max) || Number(denominator) === 0) return value;
  repairs.push(at('number_from_fraction', path));
  return Math.round((Number(numerator) / Number(denominator)) * max * 10) / 10;
}

function normalizeBoolean(value: unknown, path: string, repairs: Repairs): unknown {
  if (typeof value !== 'string') return value;
  const lowered = value.trim().toLowerCase();
  if (lowered !== 'true' && lowered !== 'false') return value;
  repairs.push(at('boolean_from_string', path));
  return lowered === 'true';
}

function normalizeString(value: unknown, path: string, repairs: Repairs): unknown {
  if (typeof value === 'number' || typeof value === 'boolean') {
    repairs.push(at('string_from_scalar', path));
    return String(value);
  }
  const text = isPlainObject(value) ? textOfObject(value) : undefined;
  if (text === undefined) return value;
  repairs.push(at('string_from_object', path));
  return text;
}

const TEXT_FIELDS = ['text', 'description', 'value', 'content'];

/**
 * A list of strings written as objects: `[{"requirement": "…"}]` or `[{"id": 1, "description": "…"}]`.
 * The text is the only string field, or a conventional text field; otherwise nothing is guessed.
 */
function textOfObject(value: Record<string, unknown>): string | undefined {
  const strings = Object.entries(value).filter(
    (entry): entry is [string, string] => typeof entry[1] === 'string',
  );
  if (strings.length === 1) return strings[0]?.[1];
  return strings.find(([key]) => TEXT_FIELDS.includes(key.toLowerCase()))?.[1];
}

function enumKey(text: string): string {
  return text
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
}

/**
 * Case and separator differences map directly ("Request Changes" → request_changes); otherwise a
 * value that is a prefix of exactly one option, or has exactly one option as its prefix, maps to it
 * ("approved" → approve). Ambiguous or unrelated values are left for zod to reject.
 */
function normalizeEnum(value: unknown, options: readonly string[], path: string, repairs: Repairs): unknown {
  if (typeof value !== 'string' || options.includes(value)) return value;
  const key = enumKey(value);
  const exact = options.filter((o) => enumKey(o) === key);
  const related = options.filter(
    (o) => key.length >= 3 && (key.startsWith(enumKey(o)) || enumKey(o).startsWith(key)),
  );
  const match = exact.length === 1 ? exact[0] : related.length === 1 ? related[0] : undefined;
  if (match === undefined) return value;
  repairs.push(at('enum_value', path));
  return match;
}

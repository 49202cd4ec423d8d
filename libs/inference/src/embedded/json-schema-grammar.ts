import type { GbnfJsonSchema } from 'node-llama-cpp';
/** A JSON Schema document as the contracts emit it. */
type JsonSchema = Record<string, unknown>;

type Schema = Record<string, unknown>;

const SCALAR_TYPES = new Set(['string', 'number', 'integer', 'boolean', 'null']);
const GRAMMAR_FORMATS = new Set(['date-time', 'time', 'date']);

/**
 * Converts a JSON Schema (draft 2020-12 as zod emits it) into the subset node-llama-cpp compiles into a
 * grammar. Keywords a grammar cannot enforce (minimum, pattern, …) are dropped: the caller still validates
 * the parsed value, the grammar guarantees the shape (keys, types, enums, required fields).
 */
export function toGrammarSchema(schema: JsonSchema): GbnfJsonSchema {
  return convert(schema, (schema.$defs ?? schema.definitions ?? {}) as Record<string, Schema>, 0);
}

function convert(schema: Schema, defs: Record<string, Schema>, depth: number): GbnfJsonSchema {
  if (depth > 32) return { type: ['string', 'number', 'boolean', 'null'] };
  const next = (child: unknown) => convert(asSchema(child), defs, depth + 1);
  const description = typeof schema.description === 'string' ? { description: schema.description } : {};
  if (typeof schema.$ref === 'string') return next(resolveRef(schema.$ref, defs));
  if ('const' in schema) return { const: schema.const as string | number | boolean | null, ...description };
  if (Array.isArray(schema.enum))
    return { enum: schema.enum as (string | number | boolean | null)[], ...description };
  const alternatives = (schema.anyOf ?? schema.oneOf) as unknown[] | undefined;
  if (Array.isArray(alternatives)) return { oneOf: alternatives.map(next), ...description };
  if (Array.isArray(schema.allOf) && schema.allOf.length === 1) return next(schema.allOf[0]);
  return convertTyped(schema, next, description);
}

function convertTyped(
  schema: Schema,
  next: (child: unknown) => GbnfJsonSchema,
  description: object,
): GbnfJsonSchema {
  const type = schema.type;
  if (Array.isArray(type)) {
    return { oneOf: (type as unknown[]).map((one) => next({ ...schema, type: one })), ...description };
  }
  if (type === 'object' || (type === undefined && schema.properties !== undefined))
    return convertObject(schema, next, description);
  if (type === 'array') return convertArray(schema, next, description);
  if (type === 'string') return convertString(schema, description);
  if (typeof type === 'string' && SCALAR_TYPES.has(type)) return { type: type as 'number', ...description };
  // `{}` / unknown: any JSON scalar or container is allowed; keep it to scalars so a grammar exists
  return { type: ['string', 'number', 'boolean', 'null'], ...description };
}

function convertObject(
  schema: Schema,
  next: (child: unknown) => GbnfJsonSchema,
  description: object,
): GbnfJsonSchema {
  const properties = Object.fromEntries(
    Object.entries(asSchema(schema.properties)).map(([key, value]) => [key, next(value)]),
  );
  const additional = schema.additionalProperties;
  return {
    type: 'object',
    properties,
    required: Array.isArray(schema.required) ? (schema.required as string[]) : [],
    // JSON Schema allows extra keys by default; a grammar that forbids them keeps output to the contract
    additionalProperties: typeof additional === 'object' && additional !== null ? next(additional) : false,
    ...description,
  };
}

function convertArray(
  schema: Schema,
  next: (child: unknown) => GbnfJsonSchema,
  description: object,
): GbnfJsonSchema {
  return {
    type: 'array',
    ...(schema.items !== undefined && typeof schema.items === 'object' ? { items: next(schema.items) } : {}),
    ...(Array.isArray(schema.prefixItems) ? { prefixItems: schema.prefixItems.map(next) } : {}),
    ...numberField(schema, 'minItems'),
    ...numberField(schema, 'maxItems'),
    ...description,
  };
}

function convertString(schema: Schema, description: object): GbnfJsonSchema {
  if (typeof schema.format === 'string' && GRAMMAR_FORMATS.has(schema.format)) {
    return { type: 'string', format: schema.format as 'date', ...description };
  }
  return {
    type: 'string',
    ...numberField(schema, 'minLength'),
    ...numberField(schema, 'maxLength'),
    ...description,
  };
}

function numberField<K extends string>(schema: Schema, key: K): Partial<Record<K, number>> {
  const value = schema[key];
  return typeof value === 'number' ? ({ [key]: value } as Record<K, number>) : {};
}

function resolveRef(ref: string, defs: Record<string, Schema>): Schema {
  const name = /^#\/(?:\$defs|definitions)\/(.+)$/.exec(ref)?.[1];
  const target = name === undefined ? undefined : defs[decodeURIComponent(name)];
  // an unresolvable or recursive-root reference degrades to "any scalar" rather than failing the request
  return target ?? {};
}

function asSchema(value: unknown): Schema {
  return typeof value === 'object' && value !== null ? (value as Schema) : {};
}

import type { JsonSchema } from '@app/contracts';

/**
 * How a server wants a JSON Schema constraint sent. Each OpenAI-compatible server reads its own field,
 * and an unknown one is silently ignored (the answer is then unconstrained):
 *   - `openai`: `response_format: {type: "json_schema", json_schema: {name, schema, strict}}` (OpenAI, SGLang)
 *   - `llama.cpp`: top-level `json_schema` — llama-server ignores `response_format` on `/v1/completions`
 *   - `vllm`: `structured_outputs: {json}` (vLLM ≥ 0.10); `vllm-legacy`: `guided_json` (older vLLM)
 *   - `tgi`: `response_format: {type: "json", value}` (TGI's grammar type)
 *   - `ollama`: `format: <schema>` (plus `response_format`, which its `/v1` chat route translates)
 *   - `none`: send nothing (a server without constrained decoding; the output is still validated)
 */
export const STRUCTURED_DIALECTS = [
  'openai',
  'llama.cpp',
  'vllm',
  'vllm-legacy',
  'tgi',
  'ollama',
  'none',
] as const;
export type StructuredDialect = (typeof STRUCTURED_DIALECTS)[number];
/** `auto`: detected from the server's `GET /v1/models` (`owned_by`), `openai` when it says nothing known. */
export type StructuredOutputSetting = 'auto' | StructuredDialect;

type Schema = { name: string; schema: JsonSchema };

function openAiFormat(json: Schema): Record<string, unknown> {
  return {
    response_format: {
      type: 'json_schema',
      json_schema: { name: json.name, schema: json.schema, strict: true },
    },
  };
}

const FIELDS: Record<StructuredDialect, (json: Schema) => Record<string, unknown>> = {
  openai: openAiFormat,
  'llama.cpp': (json) => ({ json_schema: json.schema }),
  vllm: (json) => ({ structured_outputs: { json: json.schema } }),
  'vllm-legacy': (json) => ({ guided_json: json.schema }),
  tgi: (json) => ({ response_format: { type: 'json', value: json.schema } }),
  ollama: (json) => ({ format: json.schema, ...openAiFormat(json) }),
  none: () => ({}),
};

/** The request fields that carry `jsonSchema` in this dialect (none without a schema). */
export function structuredFields(
  dialect: StructuredDialect,
  json: Schema | undefined,
): Record<string, unknown> {
  return json === undefined ? {} : FIELDS[dialect](json);
}

const BY_OWNER: Record<string, StructuredDialect> = {
  llamacpp: 'llama.cpp',
  vllm: 'vllm',
  tgi: 'tgi',
  'text-generation-inference': 'tgi',
  library: 'ollama',
  ollama: 'ollama',
};

/** The dialect a `GET /v1/models` answer reveals through `owned_by` (llama-server: "llamacpp", vLLM: "vllm"). */
export function dialectFromModelList(body: unknown): StructuredDialect | undefined {
  const first = (body as { data?: Array<{ owned_by?: unknown }> } | undefined)?.data?.[0];
  const owner = typeof first?.owned_by === 'string' ? first.owned_by.toLowerCase() : undefined;
  return owner === undefined ? undefined : BY_OWNER[owner];
}

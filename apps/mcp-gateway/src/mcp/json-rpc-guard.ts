import { ClientRequestSchema, ErrorCode, type RequestId } from '@modelcontextprotocol/sdk/types.js';
import type { z } from 'zod';

/** Why a message is refused before it reaches the MCP server, as the JSON-RPC error to answer with. */
export interface JsonRpcRefusal {
  code: number;
  message: string;
  /** the request's id when it could be read, so the client can match the error to its call */
  id: RequestId | null;
}

type RequestSchema = (typeof ClientRequestSchema.options)[number];

/** The params schema of every client request the SDK knows, by method name (built once). */
const SCHEMA_BY_METHOD: ReadonlyMap<string, RequestSchema> = new Map(
  ClientRequestSchema.options.map((schema) => [schema.shape.method.value, schema] as const),
);

const MAX_ISSUES_SHOWN = 3;
const MAX_MESSAGE_CHARS = 500;
const NOT_JSON_RPC =
  'Invalid Request: not a JSON-RPC 2.0 message (expected an object with "jsonrpc": "2.0" and a "method", or a response with an "id")';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isRequestId(value: unknown): value is RequestId {
  return typeof value === 'string' || (typeof value === 'number' && Number.isInteger(value));
}

/** `params.name: Invalid input: expected string, received number` — one line a person can act on. */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  const shown = issues.slice(0, MAX_ISSUES_SHOWN).map((issue) => {
    const path = issue.path.length === 0 ? '(root)' : issue.path.map(String).join('.');
    return `${path}: ${issue.message}`;
  });
  const more = issues.length > MAX_ISSUES_SHOWN ? ` (and ${issues.length - MAX_ISSUES_SHOWN} more)` : '';
  const text = `${shown.join('; ')}${more}`;
  return text.length <= MAX_MESSAGE_CHARS ? text : `${text.slice(0, MAX_MESSAGE_CHARS - 1)}…`;
}

function invalidRequest(id: RequestId | null, message = NOT_JSON_RPC): JsonRpcRefusal {
  return { code: ErrorCode.InvalidRequest, message, id };
}

/** A request's params against the SDK's schema for its method; unknown methods are the server's to refuse. */
function checkParams(
  method: string,
  message: Record<string, unknown>,
  id: RequestId,
): JsonRpcRefusal | undefined {
  const schema = SCHEMA_BY_METHOD.get(method);
  if (schema === undefined) return undefined;
  const parsed = schema.safeParse(message);
  if (parsed.success) return undefined;
  const text = `Invalid params for ${method}: ${describeIssues(parsed.error.issues)}`;
  return { code: ErrorCode.InvalidParams, message: text, id };
}

/** MCP passes params by name: anything but an object (a notification's, an unknown method's) is no request. */
function checkParamsShape(params: unknown, id: RequestId | null): JsonRpcRefusal | undefined {
  if (params === undefined || isRecord(params)) return undefined;
  return invalidRequest(id, 'Invalid Request: "params" must be an object');
}

/**
 * One JSON-RPC message as any transport receives it (HTTP body element, stdio line). Shape errors are
 * -32600, a known request with params its method does not accept is -32602 with a readable message: the
 * SDK would otherwise answer -32603 with the raw schema errors as JSON.
 */
export function checkJsonRpcMessage(message: unknown): JsonRpcRefusal | undefined {
  if (!isRecord(message) || message.jsonrpc !== '2.0') return invalidRequest(null);
  const { id, method } = message;
  const hasId = id !== undefined;
  if (hasId && !isRequestId(id))
    return invalidRequest(null, 'Invalid Request: "id" must be a string or an integer');
  if (typeof method === 'string') {
    const refusal = hasId ? checkParams(method, message, id) : undefined;
    return refusal ?? checkParamsShape(message.params, hasId ? id : null);
  }
  if (method !== undefined)
    return invalidRequest(hasId ? id : null, 'Invalid Request: "method" must be a string');
  const isResponse = hasId && ('result' in message || 'error' in message);
  return isResponse ? undefined : invalidRequest(hasId ? id : null);
}

/** An HTTP body: one message or a non-empty batch of them (the first refusal is answered). */
export function checkJsonRpcBody(body: unknown): JsonRpcRefusal | undefined {
  if (!Array.isArray(body)) return checkJsonRpcMessage(body);
  if (body.length === 0) return invalidRequest(null, 'Invalid Request: an empty batch');
  for (const message of body) {
    const refusal = checkJsonRpcMessage(message);
    if (refusal) return refusal;
  }
  return undefined;
}

/** Is this body (or batch) an initialize request, judged by its method alone (its params may be bad)? */
export function isInitializeAttempt(body: unknown): boolean {
  const messages: unknown[] = Array.isArray(body) ? body : [body];
  return messages.some((message) => isRecord(message) && message.method === 'initialize');
}

import { InferenceError, type InferenceErrorDetails } from '../inference.errors';
import type { ModelRole } from '../inference.types';
import { envPrefix, roleLabel } from './endpoint';
import { faultOf5xx } from './fault-kind';

/** Who failed, for messages a person can act on. */
export interface ErrorContext {
  role: ModelRole;
  /** the full URL that was called */
  url: string;
}

const MAX_UPSTREAM_MESSAGE = 300;

export function trimExcerpt(text: string, max = MAX_UPSTREAM_MESSAGE): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

/** `Retry-After` as seconds or an HTTP date → ms (undefined when absent or unreadable). */
export function parseRetryAfter(
  header: string | string[] | undefined,
  nowEpochMs = Date.now(),
): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowEpochMs);
}

type ErrorShape = { error?: unknown; message?: unknown; detail?: unknown; error_type?: unknown };

function messageOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (Array.isArray(value))
    return (
      value
        .map((item) => messageOf(item))
        .filter(Boolean)
        .join('; ') || undefined
    );
  if (value && typeof value === 'object') {
    const record = value as { message?: unknown; msg?: unknown };
    return messageOf(record.message ?? record.msg);
  }
  return undefined;
}

/**
 * The upstream's own message from any known error body: vLLM `{error:{message}}` and legacy
 * `{object:"error",message}`, TGI `{error,error_type}`, llama.cpp `{error:{code,message}}`, Ollama `{error}`,
 * FastAPI `{detail}`; otherwise the trimmed text.
 */
export function upstreamMessageOf(body: unknown): string | undefined {
  if (body === undefined || body === null || body === '') return undefined;
  if (typeof body === 'string') return upstreamMessageOf(tryJson(body)) ?? trimExcerpt(body);
  if (typeof body !== 'object') return undefined;
  const shape = body as ErrorShape;
  const message = messageOf(shape.error) ?? messageOf(shape.message) ?? messageOf(shape.detail);
  return message === undefined ? undefined : trimExcerpt(message);
}

/** The error `type` of an OpenAI-style body (`{error:{type}}`, vLLM legacy `{type}`), if any. */
function upstreamTypeOf(body: string): string | undefined {
  const json = tryJson(body) as { error?: { type?: unknown }; type?: unknown } | undefined;
  const type = json?.error?.type ?? json?.type;
  return typeof type === 'string' ? type : undefined;
}

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function quoted(message: string | undefined): string {
  return message ? `: "${message}"` : '';
}

type Advice = { code: InferenceError['code']; advice: string };

function statusAdvice(role: ModelRole, status: number): Advice {
  const env = envPrefix(role);
  if (status === 429)
    return { code: 'RATE_LIMITED', advice: 'the server is over capacity; lower concurrency or add replicas' };
  if (status === 401 || status === 403) return { code: 'CONFIG', advice: `check ${env}_API_KEY` };
  if (status === 404) {
    return { code: 'CONFIG', advice: `check the path in ${env}_ENDPOINT, ${env}_PROTOCOL and ${env}_MODEL` };
  }
  if (status === 408)
    return { code: 'UPSTREAM_ERROR', advice: 'the server timed the request out; it may be overloaded' };
  if (status >= 500) {
    return {
      code: 'UPSTREAM_ERROR',
      advice: 'the model server is failing, overloaded or still loading; check its logs',
    };
  }
  return {
    code: 'UPSTREAM_ERROR',
    advice:
      'the server rejected the request; the prompt may exceed the context window or a parameter is unsupported',
  };
}

/**
 * A 5xx that is not the server's fault (see fault-kind.ts): the model's output failed the server's parser
 * (INVALID_RESPONSE) or the request needs another parameter or server option (CONFIG). Neither is retried
 * nor counted by the circuit breaker.
 */
function notServerFault(
  role: ModelRole,
  message: string | undefined,
  type: string | undefined,
): Advice | undefined {
  const fault = faultOf5xx(message, type);
  if (fault === 'output') {
    return {
      code: 'INVALID_RESPONSE',
      advice:
        "the model's output failed the server's own parser (the server itself is healthy); retry, or change the prompt or tool format",
    };
  }
  if (fault !== 'request') return undefined;
  const jinja = /--jinja/.test(message ?? '') ? ' (start llama-server with --jinja to use tools)' : '';
  return {
    code: 'CONFIG',
    advice: `the server refused this request${jinja}; the server itself is healthy — fix the request or the server's options (${envPrefix(role)}_PROTOCOL, ${envPrefix(role)}_STRUCTURED_OUTPUT)`,
  };
}

/** An HTTP error answer → one InferenceError naming the endpoint, the status, the upstream message and a fix. */
export function errorFromStatus(
  ctx: ErrorContext,
  status: number,
  body: string,
  retryAfterMs?: number,
): InferenceError {
  const upstreamMessage = upstreamMessageOf(body);
  const { code, advice } =
    (status >= 500 && status !== 503
      ? notServerFault(ctx.role, upstreamMessage, upstreamTypeOf(body))
      : undefined) ?? statusAdvice(ctx.role, status);
  const wait = retryAfterMs === undefined ? '' : ` (Retry-After ${Math.round(retryAfterMs / 100) / 10} s)`;
  const message = `${roleLabel(ctx.role)} at ${ctx.url} answered ${status}${quoted(upstreamMessage)}${wait} — ${advice}`;
  return new InferenceError(code, message, {
    role: ctx.role,
    endpoint: ctx.url,
    status,
    upstreamMessage,
    retryAfterMs,
    // "Loading model" (llama.cpp), a dead engine (vLLM): the server is there but cannot serve yet
    ...(status === 503 ? { unavailable: true } : {}),
  });
}

/** A `data: {"error": …}` event inside a stream. */
export function errorFromStreamEvent(
  ctx: ErrorContext,
  payload: unknown,
  partialOutput: boolean,
): InferenceError {
  const upstreamMessage = upstreamMessageOf(payload) ?? 'unknown error';
  const after = partialOutput ? ' after output had started (not retried)' : '';
  const type = upstreamTypeOf(JSON.stringify(payload));
  const classified = notServerFault(ctx.role, upstreamMessage, type);
  const advice = classified?.advice ?? "check the model server's logs";
  const message = `${roleLabel(ctx.role)} at ${ctx.url} reported an error mid-stream${after}: "${upstreamMessage}" — ${advice}`;
  return new InferenceError(classified?.code ?? 'UPSTREAM_ERROR', message, {
    role: ctx.role,
    endpoint: ctx.url,
    upstreamMessage,
    partialOutput,
  });
}

const CONNECT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** A socket-level failure (refused, reset, closed, connect timeout) → InferenceError. */
export function errorFromTransport(
  ctx: ErrorContext,
  error: unknown,
  partialOutput: boolean,
): InferenceError {
  const code = errorCode(error) ?? 'unknown';
  const detail = error instanceof Error ? error.message : String(error);
  const base: InferenceErrorDetails = {
    role: ctx.role,
    endpoint: ctx.url,
    partialOutput,
    upstreamMessage: detail,
  };
  const label = roleLabel(ctx.role);
  if (code === 'UND_ERR_CONNECT_TIMEOUT') {
    const message = `${label} at ${ctx.url} did not accept a connection in time — is the host reachable?`;
    const details = { ...base, phase: 'connect' as const, unavailable: true };
    return new InferenceError('TIMEOUT', message, details, { cause: error });
  }
  if (CONNECT_CODES.has(code)) {
    const message = `cannot connect to ${label} at ${ctx.url} (${code}) — is the server running and ${envPrefix(ctx.role)}_ENDPOINT right?`;
    return new InferenceError('UPSTREAM_ERROR', message, { ...base, unavailable: true }, { cause: error });
  }
  const when = partialOutput ? 'mid-stream, after output had started (not retried)' : 'before any output';
  const message = `connection to ${label} at ${ctx.url} failed ${when} (${code}: ${detail}) — the server closed or reset it; check its logs`;
  return new InferenceError('UPSTREAM_ERROR', message, base, { cause: error });
}

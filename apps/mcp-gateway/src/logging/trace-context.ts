import type { TraceContext } from '@app/inference';

/** W3C Trace Context `traceparent`: version-traceid-parentid-flags, lower-case hex (version ff is invalid). */
const TRACEPARENT = /^(?!ff)[\da-f]{2}-(?!0{32})([\da-f]{32})-(?!0{16})[\da-f]{16}-[\da-f]{2}$/;
const MAX_TRACESTATE_CHARS = 512;

type HeaderSource = Record<string, unknown> | { get(name: string): string | null } | undefined;

function headerOf(headers: HeaderSource, name: string): unknown {
  if (headers === undefined) return undefined;
  return typeof headers.get === 'function'
    ? (headers as { get(name: string): string | null }).get(name)
    : (headers as Record<string, unknown>)[name];
}

function fromPair(traceparent: unknown, tracestate: unknown): TraceContext | undefined {
  if (typeof traceparent !== 'string' || !TRACEPARENT.test(traceparent)) return undefined;
  const state =
    typeof tracestate === 'string' && tracestate.length <= MAX_TRACESTATE_CHARS ? tracestate : undefined;
  return state === undefined ? { traceparent } : { traceparent, tracestate: state };
}

/**
 * The caller's trace context: `_meta.traceparent`/`tracestate` (MCP 2026-07-28, SEP-414) first, since it
 * belongs to this very request (and is all stdio has), else the HTTP headers. Malformed values are ignored
 * rather than forwarded: the model server would otherwise start a broken trace.
 */
export function traceContextOf(
  meta: Record<string, unknown> | undefined,
  headers: HeaderSource,
): TraceContext | undefined {
  return (
    fromPair(meta?.traceparent, meta?.tracestate) ??
    fromPair(headerOf(headers, 'traceparent'), headerOf(headers, 'tracestate'))
  );
}

/** The 32-hex trace id, the field log lines carry so one trace can be followed across the hops. */
export function traceIdOf(trace: TraceContext | undefined): string | undefined {
  return trace === undefined ? undefined : TRACEPARENT.exec(trace.traceparent)?.[1];
}

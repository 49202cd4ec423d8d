/**
 * Who is at fault when a model server answers 5xx. Servers answer 500 for more than their own faults:
 * llama.cpp's `llama-server` turns every exception in request parsing into a 500 ("tools param requires
 * --jinja flag", "'messages' is required") and also answers 500 when the *model's output* fails its
 * tool-call parser ("The model produced output that does not match the expected … format"). Neither
 * means the server is unwell: retrying the same request gets the same answer, and counting it toward the
 * circuit breaker reports a healthy server as down. Only what is left is a server fault.
 */
export type UpstreamFault = 'server' | 'request' | 'output';

/** The model's own output failed the server's parser (tool-call format, JSON arguments). */
const OUTPUT_FAULTS = [
  /does not match the expected .*format/i,
  /failed to parse tool call/i,
  /failed to parse input at pos/i,
  /invalid utf-?8/i,
];

/** The request (or a server option it needs) is wrong: the same request fails the same way again. */
const REQUEST_FAULTS = [
  /requires --jinja/i,
  /\bis required\b/i,
  /must not be empty/i,
  /unsupported param/i,
  /\bnot supported\b/i,
  /cannot use both/i,
  /failed to parse (messages|tools|grammar|json schema)/i,
  /invalid base64/i,
  /failed to tokenize prompt/i,
  /exceeds? the available context size/i,
];

/** Error `type`s that name a request error whatever the status (llama.cpp, vLLM, OpenAI). */
const REQUEST_TYPES = new Set([
  'invalid_request_error',
  'exceed_context_size_error',
  'not_supported_error',
  'BadRequestError',
]);

/** Who caused a 5xx answer, from the upstream's message and error type. */
export function faultOf5xx(message: string | undefined, type?: string): UpstreamFault {
  if (type !== undefined && REQUEST_TYPES.has(type)) return 'request';
  if (message === undefined) return 'server';
  if (OUTPUT_FAULTS.some((pattern) => pattern.test(message))) return 'output';
  if (REQUEST_FAULTS.some((pattern) => pattern.test(message))) return 'request';
  return 'server';
}

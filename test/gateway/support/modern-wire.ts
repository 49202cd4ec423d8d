import { postMcp } from './gateway-harness';

export const MODERN = '2026-07-28';

export interface RawModernRequest {
  id?: number;
  method: string;
  params?: Record<string, unknown>;
  /** extra `_meta` keys beside the envelope (progressToken, logLevel, traceparent…) */
  meta?: Record<string, unknown>;
  /** headers to send instead of / beside the standard ones; `undefined` drops a standard header */
  headers?: Record<string, string | undefined>;
}

/** A 2026-07-28 request as the spec writes it: `_meta` envelope in the body, standard headers on the POST. */
export function modernBody(request: RawModernRequest): string {
  const _meta = {
    'io.modelcontextprotocol/protocolVersion': MODERN,
    'io.modelcontextprotocol/clientCapabilities': {},
    'io.modelcontextprotocol/clientInfo': { name: 'raw-2026', version: '1.0.0' },
    ...request.meta,
  };
  const params = { ...request.params, _meta };
  return JSON.stringify({ jsonrpc: '2.0', id: request.id ?? 1, method: request.method, params });
}

export function modernHeaders(request: RawModernRequest): Record<string, string> {
  const name = request.params?.name;
  const standard: Record<string, string | undefined> = {
    'mcp-protocol-version': MODERN,
    'mcp-method': request.method,
    ...(typeof name === 'string' ? { 'mcp-name': name } : {}),
    ...request.headers,
  };
  return Object.fromEntries(
    Object.entries(standard).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}

export function postModern(baseUrl: string, request: RawModernRequest): Promise<Response> {
  return postMcp(baseUrl, modernBody(request), modernHeaders(request));
}

/** The JSON-RPC messages of a response, whether it came as one JSON body or as an SSE stream. */
export async function messagesOf(response: Response): Promise<Array<Record<string, unknown>>> {
  const text = await response.text();
  if (!(response.headers.get('content-type') ?? '').includes('text/event-stream')) {
    return [JSON.parse(text) as Record<string, unknown>];
  }
  return text
    .split('\n')
    .filter((line) => line.startsWith('data: '))
    .map((line) => JSON.parse(line.slice('data: '.length)) as Record<string, unknown>);
}

import type { IncomingMessage, ServerResponse } from 'node:http';
import { HTTP_STATUS_BY_CODE, type ErrorBody, type ErrorCode } from '@app/contracts';

/**
 * Express adds `body`; the gateway's middleware fills it (JSON bodies only). `principal` is the hash of the
 * API key that authenticated the request (undefined when GATEWAY_API_KEYS is off): sessions belong to it.
 */
export type GatewayRequest = IncomingMessage & { body?: unknown; id?: unknown; principal?: string };

/** JSON-RPC codes for errors answered before a request reaches the MCP server. */
export const JSON_RPC = { parseError: -32700, invalidRequest: -32600, serverError: -32000 } as const;

const MCP_PATHS = ['/mcp', '/sse', '/messages'];

/** MCP routes speak JSON-RPC even when failing at the HTTP layer; everything else speaks the REST error body. */
export function isMcpPath(url: string | undefined): boolean {
  const path = (url ?? '').split('?')[0] ?? '';
  return MCP_PATHS.some((prefix) => path === prefix || path.startsWith(`${prefix}/`));
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers?: Record<string, string>,
): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

export function sendJsonRpcError(
  res: ServerResponse,
  status: number,
  code: number,
  message: string,
  id: string | number | null = null,
): void {
  sendJson(res, status, { jsonrpc: '2.0', error: { code, message }, id });
}

/** A route hit with a method it does not serve: 405 naming the ones it does, in its protocol. */
export function sendMethodNotAllowed(
  req: IncomingMessage,
  res: ServerResponse,
  allowed: readonly string[],
): void {
  const allow = allowed.join(', ');
  const message = `Method not allowed: ${req.method ?? ''} ${(req.url ?? '').split('?')[0] ?? ''} accepts ${allow}`;
  sendHttpError(req, res, 'VALIDATION_FAILED', message, { status: 405, headers: { allow } });
}

/** GATEWAY_MAX_SESSIONS reached (both HTTP transports): 503 with Retry-After, so clients back off. */
export function sendTooManySessions(res: ServerResponse): void {
  res.setHeader('retry-after', '30');
  const message = 'Too many open sessions (GATEWAY_MAX_SESSIONS); retry later';
  sendJsonRpcError(res, 503, JSON_RPC.serverError, message);
}

function correlationIdOf(res: ServerResponse): string | undefined {
  const id = res.getHeader('x-request-id');
  return typeof id === 'string' ? id : undefined;
}

export function restErrorBody(
  res: ServerResponse,
  code: ErrorCode,
  message: string,
  details?: unknown,
): ErrorBody {
  const correlationId = correlationIdOf(res);
  return {
    error: {
      code,
      message,
      ...(details === undefined ? {} : { details }),
      ...(correlationId ? { correlationId } : {}),
    },
  };
}

/**
 * The one place HTTP-layer failures (auth, Host/Origin, body limit, bad JSON) become responses:
 * JSON-RPC errors on MCP routes, `{"error":{…}}` elsewhere. Never an HTML page.
 */
export function sendHttpError(
  req: IncomingMessage,
  res: ServerResponse,
  code: ErrorCode,
  message: string,
  options: { jsonRpcCode?: number; status?: number; headers?: Record<string, string> } = {},
): void {
  const status = options.status ?? HTTP_STATUS_BY_CODE[code];
  if (isMcpPath(req.url)) {
    const body = {
      jsonrpc: '2.0',
      error: { code: options.jsonRpcCode ?? JSON_RPC.serverError, message },
      id: null,
    };
    sendJson(res, status, body, options.headers);
    return;
  }
  sendJson(res, status, restErrorBody(res, code, message), options.headers);
}

import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { McpHttpHandler } from '@modelcontextprotocol/server';
import type { GatewayRequest } from '../../http/http-errors';

export interface ExchangeHooks {
  onerror: (error: Error) => void;
  /** sees the web Request made for a Node request before the handler does (to find one from the other) */
  onRequest?: (request: Request, req: GatewayRequest) => void;
}

/**
 * Serves one Node request through the SDK v2 web handler (`handler.fetch`), as `toNodeHandler` from
 * `@modelcontextprotocol/node` does, minus two copies on the hot path (measured: `npm run bench`, measure 7):
 * - the gateway's body step already parsed the body, so the web `Request` carries none (the SDK takes the
 *   `parsedBody` and never reads `request.body`) — `toNodeHandler` serialises it again and measures it;
 * - a JSON answer (every call that sent no notification) is written whole, with its length, in one write —
 *   `toNodeHandler` pipes every answer through a web `ReadableStream` with chunked encoding. SSE answers
 *   (progress, logging) still stream, with back-pressure.
 * A client that goes away aborts the request's signal: the SDK closes the exchange and the tool call's
 * signal aborts the model request.
 */
export async function serveWebExchange(
  handler: McpHttpHandler,
  req: GatewayRequest,
  res: ServerResponse,
  hooks: ExchangeHooks,
): Promise<void> {
  const abort = new AbortController();
  const onClose = () => abort.abort();
  res.once('close', onClose);
  const { onerror } = hooks;
  try {
    const request = webRequestOf(req, abort.signal);
    hooks.onRequest?.(request, req);
    const response = await handler.fetch(request, { parsedBody: req.body });
    await writeResponse(response, res, abort.signal);
  } catch (error) {
    onerror(error instanceof Error ? error : new Error(String(error)));
    if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32603, message: 'Internal error' }, id: null }));
  } finally {
    res.off('close', onClose);
  }
}

/** The request line and headers as a body-less web Request (the SDK reads the headers and the signal). */
function webRequestOf(req: GatewayRequest, signal: AbortSignal): Request {
  const host = req.headers.host ?? 'localhost';
  return new Request(`http://${host}${req.url ?? '/'}`, {
    method: req.method ?? 'POST',
    headers: webHeadersOf(req.headers),
    signal,
  });
}

function webHeadersOf(incoming: IncomingHttpHeaders): Headers {
  const headers = new Headers();
  for (const name in incoming) {
    const value = incoming[name];
    // the body travels parsed: its framing headers would describe a body the Request does not have
    if (value === undefined || name === 'content-length' || name === 'transfer-encoding') continue;
    if (Array.isArray(value)) for (const item of value) headers.append(name, item);
    else headers.set(name, value);
  }
  return headers;
}

async function writeResponse(response: Response, res: ServerResponse, signal: AbortSignal): Promise<void> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => (headers[name] = value));
  if (response.body === null) {
    res.writeHead(response.status, headers).end();
    return;
  }
  if (!isEventStream(headers['content-type'])) {
    const body = Buffer.from(await response.arrayBuffer());
    res.writeHead(response.status, { ...headers, 'content-length': String(body.length) }).end(body);
    return;
  }
  res.writeHead(response.status, headers);
  await streamBody(response.body, res, signal);
}

function isEventStream(contentType: string | undefined): boolean {
  return contentType !== undefined && contentType.startsWith('text/event-stream');
}

/** SSE frames as they come; waits for `drain` when the client reads slower than the tool writes. */
async function streamBody(
  body: ReadableStream<Uint8Array>,
  res: ServerResponse,
  signal: AbortSignal,
): Promise<void> {
  const closed = new Promise<void>((resolve) =>
    signal.addEventListener('abort', () => resolve(), { once: true }),
  );
  try {
    for await (const chunk of body) {
      if (signal.aborted) break;
      if (!res.write(chunk))
        await Promise.race([new Promise((resolve) => res.once('drain', resolve)), closed]);
    }
  } catch {
    // the stream ended with the exchange (client gone, handler closed): nothing left to send
  }
  res.end();
}

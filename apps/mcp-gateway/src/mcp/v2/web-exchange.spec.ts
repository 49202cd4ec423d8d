import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { McpHttpHandler } from '@modelcontextprotocol/server';
import type { GatewayRequest } from '../../http/http-errors';
import { serveWebExchange } from './web-exchange';

type Fetch = (request: Request, options?: { parsedBody?: unknown }) => Promise<Response>;

/** A node:http server whose every request goes through serveWebExchange to `fetch` (the body pre-parsed). */
async function serve(fetch: Fetch, errors: Error[] = []): Promise<{ url: string; server: Server }> {
  const handler = { fetch } as unknown as McpHttpHandler;
  const server = createServer((req, res) => {
    const gatewayReq = req as GatewayRequest;
    gatewayReq.body = { jsonrpc: '2.0', id: 1, method: 'tools/list' };
    void serveWebExchange(handler, gatewayReq, res, { onerror: (error) => errors.push(error) });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`, server };
}

const post = (url: string, signal?: AbortSignal) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}', signal });

describe('serveWebExchange (SDK v2 web handler on node:http)', () => {
  let server: Server | undefined;
  afterEach(() => {
    server?.closeAllConnections();
    server?.close();
  });

  it('passes the parsed body and the headers; a JSON answer goes out whole with its length', async () => {
    const seen: unknown[] = [];
    let url: string;
    ({ server, url } = await serve((request, options) => {
      seen.push(options?.parsedBody, request.headers.get('content-type'), request.body);
      return Promise.resolve(Response.json({ jsonrpc: '2.0', id: 1, result: { tools: [] } }));
    }));
    const response = await post(url);
    expect(response.headers.get('content-length')).toBe(String((await response.clone().text()).length));
    expect(await response.json()).toEqual({ jsonrpc: '2.0', id: 1, result: { tools: [] } });
    expect(seen).toEqual([{ jsonrpc: '2.0', id: 1, method: 'tools/list' }, 'application/json', null]);
  });

  it('streams an event-stream answer frame by frame', async () => {
    const frames = ['event: message\ndata: {"a":1}\n\n', 'event: message\ndata: {"b":2}\n\n'];
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const frame of frames) controller.enqueue(new TextEncoder().encode(frame));
        controller.close();
      },
    });
    const headers = { 'content-type': 'text/event-stream' };
    let url: string;
    ({ server, url } = await serve(() => Promise.resolve(new Response(body, { headers }))));
    const response = await post(url);
    expect(response.headers.get('transfer-encoding')).toBe('chunked');
    expect(await response.text()).toBe(frames.join(''));
  });

  it('aborts the web request when the client goes away mid-exchange', async () => {
    let aborted: (value: boolean) => void = () => undefined;
    const wasAborted = new Promise<boolean>((resolve) => (aborted = resolve));
    let url: string;
    ({ server, url } = await serve(
      (request) => new Promise<Response>(() => request.signal.addEventListener('abort', () => aborted(true))),
    ));
    const client = new AbortController();
    const call = post(url, client.signal).catch(() => undefined);
    setTimeout(() => client.abort(), 100);
    await call;
    expect(await wasAborted).toBe(true);
  });

  it('answers a handler failure with a JSON-RPC internal error and reports it', async () => {
    const errors: Error[] = [];
    let url: string;
    ({ server, url } = await serve(() => Promise.reject(new Error('boom')), errors));
    const response = await post(url);
    expect(response.status).toBe(500);
    expect(await response.json()).toMatchObject({ error: { code: -32603 } });
    expect(errors.map((error) => error.message)).toEqual(['boom']);
  });
});

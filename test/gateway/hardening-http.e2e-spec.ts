import { request as httpRequest } from 'node:http';
import { ToolExecutionService } from '../../apps/mcp-gateway/src/tools/tool-execution.service';
import { INITIALIZE, postMcp, useGateway, useGatewayOnEmulator } from './support/gateway-harness';

const PROTOCOL = { 'mcp-protocol-version': '2025-11-25' };

async function openSession(baseUrl: string, headers: Record<string, string> = {}): Promise<string> {
  const init = await postMcp(baseUrl, INITIALIZE, headers);
  expect(init.status).toBe(200);
  await init.text();
  return init.headers.get('mcp-session-id')!;
}

interface JsonRpcErrorBody {
  jsonrpc: string;
  id: unknown;
  error: { code: number; message: string };
}

/** Answers on the session's POST come as JSON or as one SSE event; either way the JSON-RPC message inside. */
async function jsonRpcOf(res: Response): Promise<JsonRpcErrorBody> {
  const text = await res.text();
  const data = /^data: (.*)$/m.exec(text)?.[1];
  return JSON.parse(data ?? text) as JsonRpcErrorBody;
}

/** GET /sse held open as a raw stream: the text received so far, and whether the server ended it. */
function openRawSse(
  baseUrl: string,
): Promise<{ received: () => string; ended: Promise<void>; close(): void }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${baseUrl}/sse`, { headers: { accept: 'text/event-stream' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      const ended = new Promise<void>((done) => res.once('close', () => done()));
      resolve({ received: () => text, ended, close: () => req.destroy() });
    });
    req.on('error', reject);
    req.end();
  });
}

describe('gateway transports under attack: JSON-RPC codes', () => {
  const fixture = useGatewayOnEmulator();
  let session: string;

  beforeAll(async () => {
    session = await openSession(fixture.gateway.baseUrl);
  });

  const onSession = (body: string) =>
    postMcp(fixture.gateway.baseUrl, body, { 'mcp-session-id': session, ...PROTOCOL });

  it('an empty batch [] → 400 with -32600 Invalid Request', async () => {
    const res = await onSession('[]');
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32600 } });
  });

  it('valid JSON that is not JSON-RPC → -32600 (not a parse error)', async () => {
    for (const body of [
      '{"hello":"world"}',
      '42',
      '"x"',
      'null',
      '[1,2]',
      '{"jsonrpc":"1.0","method":"ping"}',
    ]) {
      const res = await onSession(body);
      expect(res.status).toBe(400);
      expect(((await res.json()) as JsonRpcErrorBody).error.code).toBe(-32600);
    }
  });

  it('bad params → -32602 with a readable message, not a zod dump', async () => {
    const bad = JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 5 } });
    const body = await jsonRpcOf(await onSession(bad));
    expect(body).toMatchObject({ id: 7, error: { code: -32602 } });
    expect(body.error.message).toMatch(/^Invalid params for tools\/call: params\.name: /);
    expect(body.error.message).not.toMatch(/[[{]\s*"(code|expected|path)"/);
  });

  it('initialize with protocolVersion: 5 → a clear -32602, not "session id required"', async () => {
    const init = JSON.parse(INITIALIZE) as { params: Record<string, unknown> };
    init.params.protocolVersion = 5;
    const res = await postMcp(fixture.gateway.baseUrl, JSON.stringify(init));
    expect(res.status).toBe(400);
    const body = (await res.json()) as JsonRpcErrorBody;
    expect(body).toMatchObject({ id: 1, error: { code: -32602 } });
    expect(body.error.message).toMatch(/protocolVersion/);
    expect(body.error.message).not.toMatch(/Mcp-Session-Id/);
  });

  it('PUT/PATCH /mcp → 405 with Allow, as JSON-RPC', async () => {
    for (const method of ['PUT', 'PATCH']) {
      const headers = { 'content-type': 'application/json' };
      const res = await fetch(`${fixture.gateway.baseUrl}/mcp`, { method, headers, body: '{}' });
      expect(res.status).toBe(405);
      expect(res.headers.get('allow')).toBe('GET, POST, DELETE');
      expect(await res.json()).toMatchObject({ jsonrpc: '2.0', error: { code: -32000 } });
    }
    const sse = await fetch(`${fixture.gateway.baseUrl}/sse`, { method: 'DELETE' });
    expect(sse.status).toBe(405);
    expect(sse.headers.get('allow')).toBe('GET');
  });

  it('/messages with text/plain → 415 as JSON-RPC', async () => {
    const res = await fetch(`${fixture.gateway.baseUrl}/messages?sessionId=x`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: '{"jsonrpc":"2.0","id":1,"method":"ping"}',
    });
    expect(res.status).toBe(415);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    expect(await res.json()).toMatchObject({ jsonrpc: '2.0', error: { message: /Content-Type/ } });
  });

  it('a REST call cut by shutdown → 503 with Retry-After (retryable), not 499', async () => {
    fixture.emulator.script({ kind: 'hang' });
    const call = fetch(`${fixture.gateway.baseUrl}/v1/tools/formalize_task`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ task: 'x' }),
    });
    await fixture.emulator.waitForGenerations(1);
    await fixture.gateway.app.get(ToolExecutionService).drain(10);
    const res = await call;
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await res.json()).toMatchObject({ error: { code: 'UNAVAILABLE' } });
  });
});

describe('sessions are bound to the API key that opened them', () => {
  const fixture = useGateway({ env: { GATEWAY_API_KEYS: 'key-a,key-b' } });

  it('another valid key can neither use nor DELETE the session (404), the owner still can', async () => {
    const { baseUrl } = fixture.gateway;
    const a = { authorization: 'Bearer key-a' };
    const b = { authorization: 'Bearer key-b' };
    const session = await openSession(baseUrl, a);
    const ping = JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'ping' });
    const stolen = await postMcp(baseUrl, ping, { ...b, 'mcp-session-id': session, ...PROTOCOL });
    expect(stolen.status).toBe(404);
    const del = await fetch(`${baseUrl}/mcp`, {
      method: 'DELETE',
      headers: { ...b, 'mcp-session-id': session, ...PROTOCOL },
    });
    expect(del.status).toBe(404);
    const own = await postMcp(baseUrl, ping, { ...a, 'mcp-session-id': session, ...PROTOCOL });
    expect(own.status).toBe(200);
    expect(await jsonRpcOf(own)).toMatchObject({ id: 2, result: {} });
  });
});

describe('legacy /sse: keep-alive, idle expiry, readiness with a full session table', () => {
  const fixture = useGatewayOnEmulator({
    env: { GATEWAY_SESSION_TTL_SECONDS: '1', GATEWAY_MAX_SESSIONS: '2' },
  });

  it('an idle stream gets heartbeats, then expires; a full table makes /health/ready 503 until it frees', async () => {
    const before = await fetch(`${fixture.gateway.baseUrl}/health/ready`);
    expect(before.status).toBe(200);
    await before.text();
    const first = await openRawSse(fixture.gateway.baseUrl);
    const second = await openRawSse(fixture.gateway.baseUrl);
    const full = await fetch(`${fixture.gateway.baseUrl}/health/ready`);
    expect(full.status).toBe(503);
    await full.text();
    const refused = await fetch(`${fixture.gateway.baseUrl}/sse`);
    expect(refused.status).toBe(503);
    await refused.text();
    const startedAt = Date.now();
    await Promise.all([first.ended, second.ended]);
    const expiredAfterMs = Date.now() - startedAt;
    expect(expiredAfterMs).toBeLessThan(5_000);
    expect(first.received()).toMatch(/^: keep-alive$/m);
    const ready = await fetch(`${fixture.gateway.baseUrl}/health/ready`);
    const readyBody = (await ready.json()) as { info?: { sessions?: unknown } };
    expect(
      readyBody.info?.sessions ?? (readyBody as { error?: { sessions?: unknown } }).error?.sessions,
    ).toBeDefined();
    expect(ready.status).toBe(200);
    const reopened = await openRawSse(fixture.gateway.baseUrl);
    reopened.close();
  }, 15_000);
});

describe('readiness detail is for key holders; the status code is for everyone', () => {
  const fixture = useGatewayOnEmulator({ env: { GATEWAY_API_KEYS: 'ops-key' } });

  it('without a key: only the status (no upstream URLs, circuit state, counts); with a key: the full report', async () => {
    const anonymous = await fetch(`${fixture.gateway.baseUrl}/health/ready`);
    expect(anonymous.status).toBe(200);
    const text = await anonymous.text();
    expect(JSON.parse(text)).toEqual({ status: 'ok' });
    expect(text).not.toContain(fixture.emulator.url);
    const operator = await fetch(`${fixture.gateway.baseUrl}/health/ready`, {
      headers: { authorization: 'Bearer ops-key' },
    });
    expect(operator.status).toBe(200);
    expect(await operator.text()).toContain('code_model');
  });

  it('a REST tool error names no upstream URL', async () => {
    fixture.emulator.script({ kind: 'malformed' });
    const res = await fetch(`${fixture.gateway.baseUrl}/v1/tools/review_code`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer ops-key' },
      body: JSON.stringify({ code: 'x = 1' }),
    });
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('INVALID_RESPONSE');
    expect(body.error.message).not.toContain('127.0.0.1');
    expect(body.error.message).toContain('<model server>');
  });
});

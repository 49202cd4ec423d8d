import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { FORMALIZE_REPLY } from './support/model-replies';
import {
  INITIALIZE,
  connectStreamableHttp,
  postMcp,
  useGateway,
  useGatewayOnEmulator,
} from './support/gateway-harness';

describe('MCP Streamable HTTP in stateless mode (GATEWAY_MCP_MODE=stateless)', () => {
  const fixture = useGatewayOnEmulator({ env: { GATEWAY_MCP_MODE: 'stateless' } });

  it('serves an SDK client without sessions: no Mcp-Session-Id is issued', async () => {
    const init = await postMcp(fixture.gateway.baseUrl, INITIALIZE);
    expect(init.status).toBe(200);
    expect(init.headers.get('mcp-session-id')).toBeNull();
    await init.text();
    const client = await connectStreamableHttp(fixture.gateway.baseUrl);
    try {
      const names = (await client.listTools()).tools.map((t) => t.name);
      expect(names).toEqual(['formalize_task', 'generate_code', 'review_code', 'run_tests']);
      fixture.emulator.script({ text: FORMALIZE_REPLY });
      const result = (await client.callTool({
        name: 'formalize_task',
        arguments: { task: 'merge' },
      })) as CallToolResult;
      expect(result.structuredContent).toMatchObject({ title: 'Merge intervals' });
    } finally {
      await client.close();
    }
  });

  it('any request can go to any replica: tools/list works without initialize on this instance', async () => {
    const res = await postMcp(
      fixture.gateway.baseUrl,
      JSON.stringify({ jsonrpc: '2.0', id: 5, method: 'tools/list' }),
      {
        'mcp-protocol-version': '2025-11-25',
      },
    );
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('generate_code');
  });

  it('GET /mcp (standalone stream) is 405 in stateless mode', async () => {
    const res = await fetch(`${fixture.gateway.baseUrl}/mcp`, { headers: { accept: 'text/event-stream' } });
    expect(res.status).toBe(405);
    expect(await res.json()).toMatchObject({ jsonrpc: '2.0', error: { code: -32000 } });
  });

  it('a dropped connection aborts the upstream request', async () => {
    fixture.emulator.reset();
    fixture.emulator.script({ kind: 'hang' });
    const controller = new AbortController();
    const body = JSON.stringify({
      jsonrpc: '2.0',
      id: 9,
      method: 'tools/call',
      params: { name: 'generate_code', arguments: { task: 'x' } },
    });
    const pending = postMcp(
      fixture.gateway.baseUrl,
      body,
      { 'mcp-protocol-version': '2025-11-25' },
      controller.signal,
    ).then((res) => res.text());
    await fixture.emulator.waitForGenerations(1);
    controller.abort();
    await expect(pending).rejects.toThrow();
    await fixture.emulator.waitForAborts(1, 5_000);
  });
});

describe('stateful session limits (GATEWAY_MAX_SESSIONS, GATEWAY_SESSION_TTL_SECONDS)', () => {
  const fixture = useGateway({ env: { GATEWAY_MAX_SESSIONS: '1', GATEWAY_SESSION_TTL_SECONDS: '1' } });

  it('refuses a session over the cap with 503 + Retry-After, and evicts idle sessions after the TTL (then 404)', async () => {
    const first = await postMcp(fixture.gateway.baseUrl, INITIALIZE);
    const session = first.headers.get('mcp-session-id')!;
    await first.text();
    const second = await postMcp(fixture.gateway.baseUrl, INITIALIZE);
    expect(second.status).toBe(503);
    expect(second.headers.get('retry-after')).toBe('30');
    expect(await second.json()).toMatchObject({
      jsonrpc: '2.0',
      error: { message: expect.stringMatching(/GATEWAY_MAX_SESSIONS/) },
    });
    await new Promise((resolve) => setTimeout(resolve, 1_600));
    const headers = { 'mcp-session-id': session, 'mcp-protocol-version': '2025-11-25' };
    const expired = await postMcp(
      fixture.gateway.baseUrl,
      JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'ping' }),
      headers,
    );
    expect(expired.status).toBe(404);
    const again = await postMcp(fixture.gateway.baseUrl, INITIALIZE);
    expect(again.status).toBe(200);
    await again.text();
  });
});

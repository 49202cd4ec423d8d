import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import Ajv2020 from 'ajv/dist/2020.js';
import { REVIEW_REPLY } from './support/model-replies';
import { connectLegacySse, useGatewayOnEmulator } from './support/gateway-harness';

describe('MCP over legacy HTTP+SSE (/sse + /messages)', () => {
  const fixture = useGatewayOnEmulator({ connect: (gateway) => connectLegacySse(gateway.baseUrl) });

  it('lists the three tools and calls review_code with valid structured output', async () => {
    const { tools } = await fixture.client.listTools();
    expect(tools.map((t) => t.name)).toEqual(['formalize_task', 'generate_code', 'review_code', 'run_tests']);
    fixture.emulator.script({ text: REVIEW_REPLY });
    const result = (await fixture.client.callTool({
      name: 'review_code',
      arguments: { code: 'a / b' },
    })) as CallToolResult;
    expect(result.isError).toBeFalsy();
    const schema = tools.find((t) => t.name === 'review_code')!.outputSchema!;
    expect(new Ajv2020({ strict: false }).validate(schema, result.structuredContent)).toBe(true);
    expect(result.structuredContent).toMatchObject({ verdict: 'request_changes', score: 6 });
  });

  it('cancelling over SSE aborts the upstream request', async () => {
    fixture.emulator.script({ kind: 'hang' });
    const controller = new AbortController();
    const call = fixture.client.callTool({ name: 'formalize_task', arguments: { task: 't' } }, undefined, {
      signal: controller.signal,
    });
    await fixture.emulator.waitForGenerations(1);
    controller.abort();
    await expect(call).rejects.toThrow();
    await fixture.emulator.waitForAborts(1, 5_000);
  });

  it('rejects an unknown or missing sessionId and malformed messages with JSON-RPC errors', async () => {
    const post = (query: string, body: string) =>
      fetch(`${fixture.gateway.baseUrl}/messages${query}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
    const ping = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' });
    const unknown = await post('?sessionId=nope', ping);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: { code: -32001 } });
    const missing = await post('', ping);
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({ error: { message: expect.stringMatching(/sessionId/) } });
    expect(await fixture.client.ping()).toEqual({});
  });
});

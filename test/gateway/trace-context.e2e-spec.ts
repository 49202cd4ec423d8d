import type { ModelServerEmulator } from '@app/testing';
import request from 'supertest';
import { GENERATE_REPLY } from './support/model-replies';
import { connectStreamableHttp, useGatewayOnEmulator } from './support/gateway-harness';
import { messagesOf, postModern } from './support/modern-wire';
import { gatewayStdioTransport, v2Client } from './support/v2-clients';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const traceparent = (span: string) => `00-${TRACE_ID}-${span}-01`;

function lastGeneration(emulator: ModelServerEmulator): Record<string, unknown> {
  const posts = emulator.requests.filter((recorded) => recorded.method === 'POST');
  return posts.at(-1)!.headers;
}

/**
 * Trace context (MCP 2026-07-28 changelog minor §2, SEP-414: `traceparent`/`tracestate` in `_meta`; W3C
 * headers on HTTP) reaches the model server as headers, whatever door the call came through.
 */
describe('trace context passed upstream', () => {
  const fixture = useGatewayOnEmulator();

  const call = {
    method: 'tools/call',
    params: { name: 'generate_code', arguments: { task: 'merge intervals' } },
  };

  it('2026-07-28: _meta traceparent/tracestate win over the HTTP header', async () => {
    fixture.emulator.script({ text: GENERATE_REPLY });
    const response = await postModern(fixture.gateway.baseUrl, {
      ...call,
      meta: { traceparent: traceparent('00f067aa0ba902b7'), tracestate: 'vendor=1' },
      headers: { traceparent: traceparent('1111111111111111') },
    });
    expect(((await messagesOf(response)).at(-1) as { result: unknown }).result).toBeDefined();
    expect(lastGeneration(fixture.emulator)).toMatchObject({
      traceparent: traceparent('00f067aa0ba902b7'),
      tracestate: 'vendor=1',
    });
  });

  it('2026-07-28 and 2025 over HTTP and REST: the traceparent header is passed on; a malformed one is dropped', async () => {
    fixture.emulator.script(
      { text: GENERATE_REPLY },
      { text: GENERATE_REPLY },
      { text: GENERATE_REPLY },
      { text: GENERATE_REPLY },
    );
    await messagesOf(
      await postModern(fixture.gateway.baseUrl, {
        ...call,
        headers: { traceparent: traceparent('2222222222222222') },
      }),
    );
    expect(lastGeneration(fixture.emulator).traceparent).toBe(traceparent('2222222222222222'));
    const legacy = await connectStreamableHttp(fixture.gateway.baseUrl, {
      traceparent: traceparent('3333333333333333'),
    });
    await legacy.callTool({ name: 'generate_code', arguments: { task: 'x' } });
    await legacy.close();
    expect(lastGeneration(fixture.emulator).traceparent).toBe(traceparent('3333333333333333'));
    await request(fixture.gateway.baseUrl)
      .post('/v1/tools/generate_code')
      .set('traceparent', traceparent('4444444444444444'))
      .send({ task: 'x' })
      .expect(200);
    expect(lastGeneration(fixture.emulator).traceparent).toBe(traceparent('4444444444444444'));
    await messagesOf(
      await postModern(fixture.gateway.baseUrl, { ...call, meta: { traceparent: 'not-a-trace' } }),
    );
    expect(lastGeneration(fixture.emulator).traceparent).toBeUndefined();
  });

  it('stdio (2026-07-28): _meta traceparent goes upstream and the tool_call log line carries the trace id', async () => {
    const stderr: string[] = [];
    const client = v2Client('modern');
    await client.connect(gatewayStdioTransport(fixture.emulator.url, stderr));
    try {
      fixture.emulator.script({ text: GENERATE_REPLY });
      const result = await client.callTool({
        name: 'generate_code',
        arguments: { task: 'x' },
        _meta: { traceparent: traceparent('5555555555555555') },
      });
      expect(result.isError).toBeFalsy();
      expect(lastGeneration(fixture.emulator).traceparent).toBe(traceparent('5555555555555555'));
      const logged = () => stderr.join('').includes(`"traceId":"${TRACE_ID}"`);
      for (let waited = 0; !logged() && waited < 5_000; waited += 50)
        await new Promise((r) => setTimeout(r, 50));
      expect(logged()).toBe(true);
    } finally {
      await client.close();
    }
  }, 60_000);
});

import { MODEL_TOOL_NAMES } from '@app/contracts';
import request from 'supertest';
import { GENERATE_REPLY, chunksOf } from './support/model-replies';
import { postMcp, useGateway, useGatewayOnEmulator } from './support/gateway-harness';
import { MODERN, messagesOf, modernBody, postModern } from './support/modern-wire';
import { modelTools } from './support/tool-names';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- raw wire JSON, asserted field by field
type Json = Record<string, any>;

/**
 * 2026-07-28 behaviours the conformance suite (0.1.16, 2025 only) does not cover, on the raw wire.
 * Section references are to modelcontextprotocol.io/specification/2026-07-28.
 */
describe('MCP 2026-07-28 on the wire (raw requests)', () => {
  const fixture = useGatewayOnEmulator();

  it('changelog §1/§2: a request with the _meta envelope and no session is answered, and no session id is minted', async () => {
    const response = await postModern(fixture.gateway.baseUrl, { method: 'tools/list' });
    expect(response.status).toBe(200);
    expect(response.headers.get('mcp-session-id')).toBeNull();
    const [message] = (await messagesOf(response)) as Json[];
    expect(modelTools(message!.result.tools.map((tool: Json) => String(tool.name)))).toEqual([
      ...MODEL_TOOL_NAMES,
    ]);
  });

  it('changelog §8 + minor §3/§5: results carry resultType; lists carry ttlMs/cacheScope; tool order is stable', async () => {
    const lists = await Promise.all(
      [1, 2].map(() => postModern(fixture.gateway.baseUrl, { method: 'tools/list' })),
    );
    const [first, second] = (await Promise.all(lists.map(async (r) => (await messagesOf(r))[0]))) as Json[];
    expect(first!.result).toMatchObject({ resultType: 'complete', ttlMs: 300_000, cacheScope: 'public' });
    expect(JSON.stringify(first!.result.tools)).toBe(JSON.stringify(second!.result.tools));
    const prompts = (
      await messagesOf(await postModern(fixture.gateway.baseUrl, { method: 'prompts/list' }))
    )[0] as Json;
    expect(prompts.result).toMatchObject({ resultType: 'complete', ttlMs: 300_000 });
    expect(prompts.result._meta['io.modelcontextprotocol/serverInfo']).toMatchObject({
      name: 'code-model-mcp-gateway',
    });
  });

  it('server/discover (server/discover page) lists the 2026 revision and the 2025 ones, and the capabilities', async () => {
    const [message] = (await messagesOf(
      await postModern(fixture.gateway.baseUrl, { method: 'server/discover' }),
    )) as Json[];
    expect(message!.result.supportedVersions).toEqual(
      expect.arrayContaining([MODERN, '2025-11-25', '2025-06-18']),
    );
    expect(message!.result.capabilities).toMatchObject({ tools: {}, prompts: {}, completions: {} });
    expect(message!.result).toMatchObject({ resultType: 'complete', ttlMs: 300_000 });
  });

  it('transports/streamable-http §Server Validation: a missing or mismatching Mcp-Method/Mcp-Name is 400 -32020', async () => {
    const missing = await postModern(fixture.gateway.baseUrl, {
      method: 'tools/list',
      headers: { 'mcp-method': undefined },
    });
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as Json).error.code).toBe(-32020);
    const mismatch = await postModern(fixture.gateway.baseUrl, {
      method: 'tools/call',
      params: { name: 'generate_code', arguments: { task: 'x' } },
      headers: { 'mcp-name': 'review_code' },
    });
    expect(mismatch.status).toBe(400);
    expect(((await mismatch.json()) as Json).error.code).toBe(-32020);
    expect(fixture.emulator.requests).toHaveLength(0);
  });

  it('versioning §Protocol Version Negotiation: an unknown revision gets -32022 naming the supported ones', async () => {
    const body = modernBody({
      method: 'tools/list',
      meta: { 'io.modelcontextprotocol/protocolVersion': '2099-01-01' },
    });
    const response = await postMcp(fixture.gateway.baseUrl, body, {
      'mcp-protocol-version': '2099-01-01',
      'mcp-method': 'tools/list',
    });
    expect(response.status).toBe(400);
    const { error } = (await response.json()) as Json;
    expect(error.code).toBe(-32022);
    expect(error.data.supported).toContain(MODERN);
  });

  it('changelog §5: ping and logging/setLevel are gone (-32601); log messages only when _meta asks for a level', async () => {
    const ping = (await messagesOf(await postModern(fixture.gateway.baseUrl, { method: 'ping' })))[0] as Json;
    expect(ping.error.code).toBe(-32601);
    const call = { method: 'tools/call', params: { name: 'review_code', arguments: { code: '' } } };
    const quiet = await messagesOf(await postModern(fixture.gateway.baseUrl, call));
    expect(quiet.filter((m) => m.method === 'notifications/message')).toEqual([]);
    const logged = await messagesOf(
      await postModern(fixture.gateway.baseUrl, {
        ...call,
        meta: { 'io.modelcontextprotocol/logLevel': 'warning' },
      }),
    );
    const notice = logged.find((m) => m.method === 'notifications/message') as Json;
    expect(notice.params).toMatchObject({
      level: 'error',
      data: { tool: 'review_code', code: 'VALIDATION_FAILED' },
    });
    expect((logged.at(-1) as Json).result.isError).toBe(true);
  });

  it('progress (basic/patterns/progress) flows on the response stream of the call it belongs to', async () => {
    fixture.emulator.script({ chunks: chunksOf(GENERATE_REPLY, 8), chunkDelayMs: 20 });
    const response = await postModern(fixture.gateway.baseUrl, {
      method: 'tools/call',
      params: { name: 'generate_code', arguments: { task: 'merge intervals' } },
      meta: { progressToken: 'p-1' },
    });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const messages = (await messagesOf(response)) as Json[];
    const progress = messages.filter((m) => m.method === 'notifications/progress');
    expect(progress.length).toBeGreaterThan(0);
    expect(progress[0]!.params.progressToken).toBe('p-1');
    expect(messages.at(-1)!.result.structuredContent.code).toContain('def merge');
  });

  it('unknown tools are -32602; prompts/get and completion/complete answer as on 2025', async () => {
    const unknown = (
      await messagesOf(
        await postModern(fixture.gateway.baseUrl, {
          method: 'tools/call',
          params: { name: 'nope', arguments: {} },
        }),
      )
    )[0] as Json;
    expect(unknown.error).toMatchObject({ code: -32602, message: expect.stringContaining('generate_code') });
    const prompt = (
      await messagesOf(
        await postModern(fixture.gateway.baseUrl, {
          method: 'prompts/get',
          params: { name: 'formalize_task', arguments: { task: 'a CSV parser' } },
        }),
      )
    )[0] as Json;
    expect(JSON.stringify(prompt.result.messages)).toContain('a CSV parser');
    const completion = (
      await messagesOf(
        await postModern(fixture.gateway.baseUrl, {
          method: 'completion/complete',
          params: {
            ref: { type: 'ref/prompt', name: 'generate_code' },
            argument: { name: 'language', value: 'type' },
          },
        }),
      )
    )[0] as Json;
    expect(completion.result.completion.values).toContain('typescript');
  });

  it('hardening carried over: bad params are -32602 with a readable message; PUT /mcp is 405 with Allow', async () => {
    const response = await postModern(fixture.gateway.baseUrl, {
      method: 'tools/call',
      params: { name: 'generate_code', arguments: 'not an object' },
    });
    const [message] = (await messagesOf(response)) as Json[];
    expect(message!.error.code).toBe(-32602);
    expect(message!.error.message).toMatch(/arguments/);
    const put = await fetch(`${fixture.gateway.baseUrl}/mcp`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: modernBody({ method: 'tools/list' }),
    });
    expect(put.status).toBe(405);
    expect(put.headers.get('allow')).toContain('POST');
  });

  it('a 2026 request over the body limit is 413 as JSON-RPC, and GET /mcp stays a 2025 session operation', async () => {
    const huge = modernBody({
      method: 'tools/call',
      params: { name: 'review_code', arguments: { code: 'x'.repeat(2 * 1024 * 1024) } },
    });
    const tooLarge = await postMcp(fixture.gateway.baseUrl, huge, { 'mcp-protocol-version': MODERN });
    expect(tooLarge.status).toBe(413);
    expect(((await tooLarge.json()) as Json).error.message).toMatch(/GATEWAY_BODY_LIMIT_BYTES/);
    await request(fixture.gateway.baseUrl).get('/mcp').expect(400);
  });
});

describe('MCP 2026-07-28 behind API keys and the Host/Origin allow-list', () => {
  const fixture = useGateway({ env: { GATEWAY_API_KEYS: 'k-1' } });

  it('refuses a 2026 request without the key (401) or from a foreign Origin (403); lists are private then', async () => {
    const anonymous = await postModern(fixture.gateway.baseUrl, { method: 'tools/list' });
    expect(anonymous.status).toBe(401);
    const foreign = await postModern(fixture.gateway.baseUrl, {
      method: 'tools/list',
      headers: { authorization: 'Bearer k-1', origin: 'http://evil.example' },
    });
    expect(foreign.status).toBe(403);
    const allowed = await postModern(fixture.gateway.baseUrl, {
      method: 'tools/list',
      headers: { authorization: 'Bearer k-1' },
    });
    const [message] = (await messagesOf(allowed)) as Json[];
    expect(message!.result.cacheScope).toBe('private');
  });
});

import { TOOL_CONTRACTS, TOOL_NAMES } from '@app/contracts';
import { McpError, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import Ajv2020 from 'ajv/dist/2020.js';
import { FORMALIZE_REPLY, GENERATE_REPLY, REVIEW_REPLY, chunksOf } from './support/model-replies';
import {
  INITIALIZE,
  connectStreamableHttp,
  emulatorEndpoint,
  postMcp,
  startGateway,
  useGatewayOnEmulator,
} from './support/gateway-harness';

const ajv = new Ajv2020({ strict: false });

function structured(result: unknown): Record<string, unknown> {
  const call = result as CallToolResult;
  expect(call.isError).toBeFalsy();
  return call.structuredContent as Record<string, unknown>;
}

function errorText(result: unknown): string {
  const call = result as CallToolResult;
  expect(call.isError).toBe(true);
  const first = call.content[0];
  return first?.type === 'text' ? first.text : '';
}

describe('MCP over Streamable HTTP (stateful)', () => {
  const fixture = useGatewayOnEmulator({ connect: (gateway) => connectStreamableHttp(gateway.baseUrl) });

  it('lists the tools (run_tests too: bubblewrap works here) with exactly the contracts’ JSON Schemas and annotations', async () => {
    const { tools } = await fixture.client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual([...TOOL_NAMES]);
    for (const tool of tools) {
      const contract = TOOL_CONTRACTS[tool.name as keyof typeof TOOL_CONTRACTS];
      expect(tool.inputSchema).toEqual(contract.inputJsonSchema);
      expect(tool.outputSchema).toEqual(contract.outputJsonSchema);
      expect(tool.annotations).toEqual(contract.annotations);
    }
  });

  it('calls each tool; structuredContent validates against the listed outputSchema and has a text copy', async () => {
    const { tools } = await fixture.client.listTools();
    const calls = {
      formalize_task: { args: { task: 'merge overlapping intervals' }, reply: FORMALIZE_REPLY },
      generate_code: { args: { task: 'merge overlapping intervals' }, reply: GENERATE_REPLY },
      review_code: { args: { code: 'def div(a, b):\n    return a / b\n' }, reply: REVIEW_REPLY },
      run_tests: { args: { language: 'python', code: 'x = 1', tests: 'assert x == 1' }, reply: undefined },
    };
    for (const tool of tools) {
      const call = calls[tool.name as keyof typeof calls];
      if (call.reply !== undefined) fixture.emulator.script({ text: call.reply });
      const result = (await fixture.client.callTool({
        name: tool.name,
        arguments: call.args,
      })) as CallToolResult;
      const value = structured(result);
      expect(ajv.validate(tool.outputSchema!, value)).toBe(true);
      const text = result.content[0];
      expect(text?.type === 'text' && JSON.parse(text.text)).toEqual(value);
    }
    expect(fixture.emulator.requests.filter((r) => r.path === '/v1/chat/completions')).toHaveLength(3);
  });

  it('returns the generated code, its language and the explanation', async () => {
    fixture.emulator.script({ text: GENERATE_REPLY });
    const result = await fixture.client.callTool({
      name: 'generate_code',
      arguments: { task: 'merge intervals' },
    });
    expect(structured(result)).toMatchObject({
      language: 'python',
      code: expect.stringContaining('def merge'),
    });
  });

  it('sends throttled progress notifications while the model streams', async () => {
    fixture.emulator.script({ chunks: chunksOf(GENERATE_REPLY, 4), chunkDelayMs: 15 });
    const progress: number[] = [];
    const result = await fixture.client.callTool(
      { name: 'generate_code', arguments: { task: 'merge' } },
      undefined,
      {
        onprogress: (p) => progress.push(p.progress),
      },
    );
    expect(structured(result).code).toContain('def merge');
    expect(progress.length).toBeGreaterThanOrEqual(2);
    expect(progress.length).toBeLessThan(chunksOf(GENERATE_REPLY, 4).length / 2);
    expect([...progress].sort((a, b) => a - b)).toEqual(progress);
  });

  it('cancelling a call (notifications/cancelled) aborts the upstream model request', async () => {
    fixture.emulator.script({ kind: 'hang' });
    const controller = new AbortController();
    const call = fixture.client.callTool({ name: 'generate_code', arguments: { task: 'slow' } }, undefined, {
      signal: controller.signal,
    });
    await fixture.emulator.waitForGenerations(1);
    controller.abort('user pressed stop');
    await expect(call).rejects.toThrow();
    await fixture.emulator.waitForAborts(1, 5_000);
    expect(fixture.emulator.abortedCount).toBe(1);
  });

  it('a dropped connection mid-call aborts the upstream model request', async () => {
    const init = await postMcp(fixture.gateway.baseUrl, INITIALIZE);
    const session = init.headers.get('mcp-session-id')!;
    await init.text();
    const headers = { 'mcp-session-id': session, 'mcp-protocol-version': '2025-11-25' };
    await postMcp(
      fixture.gateway.baseUrl,
      JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
      headers,
    );
    fixture.emulator.script({ kind: 'hang' });
    const controller = new AbortController();
    const call = JSON.stringify({
      jsonrpc: '2.0',
      id: 7,
      method: 'tools/call',
      params: { name: 'review_code', arguments: { code: 'x = 1' } },
    });
    const pending = postMcp(fixture.gateway.baseUrl, call, headers, controller.signal).then((res) =>
      res.text(),
    );
    await fixture.emulator.waitForGenerations(1);
    controller.abort();
    await expect(pending).rejects.toThrow();
    await fixture.emulator.waitForAborts(1, 5_000);
  });

  it('supports logging/setLevel and then reports failed calls as log notifications', async () => {
    const messages: unknown[] = [];
    fixture.client.setNotificationHandler(
      (await import('@modelcontextprotocol/sdk/types.js')).LoggingMessageNotificationSchema,
      (notification) => void messages.push(notification.params),
    );
    await fixture.client.setLoggingLevel('warning');
    fixture.emulator.script({ kind: 'error', status: 500, body: { error: { message: 'boom' } } });
    await fixture.client.callTool({ name: 'formalize_task', arguments: { task: 'x' } });
    expect(messages).toEqual([
      expect.objectContaining({ level: 'error', data: expect.objectContaining({ tool: 'formalize_task' }) }),
    ]);
  });

  it('serves the prompt templates with argument completion for language', async () => {
    const { prompts } = await fixture.client.listPrompts();
    expect(prompts.map((p) => p.name)).toEqual(['formalize_task', 'generate_code', 'review_code']);
    const prompt = await fixture.client.getPrompt({
      name: 'generate_code',
      arguments: { task: 'merge intervals', language: 'rust' },
    });
    expect(prompt.messages[0]?.content).toMatchObject({
      type: 'text',
      text: expect.stringContaining('merge intervals'),
    });
    const completion = await fixture.client.complete({
      ref: { type: 'ref/prompt', name: 'generate_code' },
      argument: { name: 'language', value: 'pyt' },
    });
    expect(completion.completion.values).toContain('python');
    await expect(fixture.client.getPrompt({ name: 'nope' })).rejects.toThrow(/Unknown prompt/);
    await expect(fixture.client.getPrompt({ name: 'review_code', arguments: {} })).rejects.toThrow(/code/);
  });

  describe('bad input gets a clear error and the server keeps serving', () => {
    afterEach(async () => {
      expect(await fixture.client.ping()).toEqual({});
    });

    it('missing required field → isError naming the field', async () => {
      expect(errorText(await fixture.client.callTool({ name: 'review_code', arguments: {} }))).toMatch(
        /VALIDATION_FAILED: .*code/,
      );
    });

    it('mistyped field → isError naming the field', async () => {
      const result = await fixture.client.callTool({ name: 'formalize_task', arguments: { task: 42 } });
      expect(errorText(result)).toMatch(/VALIDATION_FAILED: .*task/);
    });

    it('generate_code without task or spec → isError that says what to give', async () => {
      const result = await fixture.client.callTool({ name: 'generate_code', arguments: { language: 'go' } });
      expect(errorText(result)).toMatch(/either "task".*or "spec"/);
    });

    it('oversize code (over the contract limit, under the body limit) → isError', async () => {
      const result = await fixture.client.callTool({
        name: 'review_code',
        arguments: { code: 'x'.repeat(1_000_001) },
      });
      expect(errorText(result)).toMatch(/VALIDATION_FAILED: .*code/);
    });

    it('unknown tool → JSON-RPC invalid params listing the tools', async () => {
      const call = fixture.client.callTool({ name: 'delete_everything', arguments: {} });
      await expect(call).rejects.toBeInstanceOf(McpError);
      await expect(call).rejects.toThrow(/Unknown tool: delete_everything.*formalize_task/);
    });

    it('model failure → isError with the code and what happened', async () => {
      fixture.emulator.script({
        kind: 'error',
        status: 503,
        body: { error: { message: 'engine overloaded' } },
      });
      const text = errorText(
        await fixture.client.callTool({ name: 'generate_code', arguments: { task: 'x' } }),
      );
      expect(text).toMatch(/^(UPSTREAM_ERROR|RATE_LIMITED|CIRCUIT_OPEN): /);
      expect(text).toMatch(/code model/);
    });

    it('malformed JSON → 400 with JSON-RPC parse error -32700', async () => {
      const res = await postMcp(fixture.gateway.baseUrl, '{"jsonrpc": "2.0", "id": 1, "method": ');
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ jsonrpc: '2.0', error: { code: -32700 }, id: null });
    });

    it('valid JSON that is not JSON-RPC → 400 with JSON-RPC invalid request -32600', async () => {
      const init = await postMcp(fixture.gateway.baseUrl, INITIALIZE);
      const session = init.headers.get('mcp-session-id')!;
      await init.text();
      const headers = { 'mcp-session-id': session, 'mcp-protocol-version': '2025-11-25' };
      const res = await postMcp(fixture.gateway.baseUrl, JSON.stringify({ hello: 'world' }), headers);
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({
        jsonrpc: '2.0',
        error: { code: -32600, message: expect.stringMatching(/JSON-RPC/) },
      });
    });

    it('unknown session id → 404; missing session id on a non-initialize request → 400', async () => {
      const list = JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' });
      const unknown = await postMcp(fixture.gateway.baseUrl, list, { 'mcp-session-id': 'no-such-session' });
      expect(unknown.status).toBe(404);
      expect(await unknown.json()).toMatchObject({
        error: { code: -32001, message: expect.stringMatching(/Session not found/) },
      });
      const missing = await postMcp(fixture.gateway.baseUrl, list);
      expect(missing.status).toBe(400);
      expect(await missing.json()).toMatchObject({
        error: { message: expect.stringMatching(/Mcp-Session-Id/) },
      });
      const get = await fetch(`${fixture.gateway.baseUrl}/mcp`, { headers: { accept: 'text/event-stream' } });
      expect(get.status).toBe(400);
    });

    it('a body over GATEWAY_BODY_LIMIT_BYTES → 413 as JSON-RPC, never HTML', async () => {
      const huge = JSON.stringify({
        jsonrpc: '2.0',
        id: 3,
        method: 'tools/list',
        params: { pad: 'x'.repeat(1_100_000) },
      });
      const res = await postMcp(fixture.gateway.baseUrl, huge);
      expect(res.status).toBe(413);
      expect(res.headers.get('content-type')).toMatch(/application\/json/);
      expect(await res.json()).toMatchObject({
        jsonrpc: '2.0',
        error: { message: expect.stringMatching(/too large/i) },
      });
    });
  });

  it('DELETE ends the session; the id is then unknown (404)', async () => {
    const other = await postMcp(fixture.gateway.baseUrl, INITIALIZE);
    const session = other.headers.get('mcp-session-id')!;
    await other.text();
    const headers = { 'mcp-session-id': session, 'mcp-protocol-version': '2025-11-25' };
    const del = await fetch(`${fixture.gateway.baseUrl}/mcp`, { method: 'DELETE', headers });
    expect(del.status).toBe(200);
    const after = await postMcp(
      fixture.gateway.baseUrl,
      JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'ping' }),
      headers,
    );
    expect(after.status).toBe(404);
  });
});

describe('MCP with the upstream down', () => {
  it('reports UPSTREAM_ERROR as an isError result and keeps serving', async () => {
    // Port 1 (tcpmux) has no listener: connection refused, and no other test can take it over.
    const gateway = await startGateway(emulatorEndpoint('http://127.0.0.1:1'));
    const client = await connectStreamableHttp(gateway.baseUrl);
    try {
      const result = await client.callTool({ name: 'formalize_task', arguments: { task: 'x' } });
      expect(errorText(result)).toMatch(/^(UPSTREAM_ERROR|CIRCUIT_OPEN): The code model failed/);
      expect((await client.listTools()).tools).toHaveLength(4);
    } finally {
      await client.close();
      await gateway.close();
    }
  });
});

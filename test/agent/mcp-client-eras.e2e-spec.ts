import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import request from 'supertest';
import { z } from 'zod';
import { McpToolGateway } from '../../apps/agent/src/tools/mcp-tool-gateway';
import { BUILT_GATEWAY, REPO_ROOT } from '../gateway/support/built-gateway';
import { emulatorEndpoint, useGatewayOnEmulator } from '../gateway/support/gateway-harness';
import { GENERATE_REPLY } from '../gateway/support/model-replies';

/** A bare SDK v1 server: it speaks the 2025 revisions only (initialize), stateless Streamable HTTP. */
async function startLegacyOnlyServer(): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const mcp = new McpServer({ name: 'legacy-only', version: '1.0.0' });
    mcp.registerTool('echo', { description: 'echoes', inputSchema: { text: z.string() } }, ({ text }) => ({
      content: [{ type: 'text', text: `echo: ${text}` }],
    }));
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    res.on('close', () => void mcp.close());
    void mcp.connect(transport).then(() => transport.handleRequest(req, res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const signal = () => new AbortController().signal;

/** The agent's MCP client negotiates: 2026-07-28 first, the 2025 handshake where that is all a server speaks. */
describe('agent MCP client (SDK v2, version negotiation)', () => {
  const fixture = useGatewayOnEmulator();

  it('talks 2026-07-28 to our gateway over HTTP (tool calls counted with era="modern")', async () => {
    const session = await new McpToolGateway({
      kind: 'http',
      url: `${fixture.gateway.baseUrl}/mcp`,
    }).connect();
    try {
      // run_tests joins them where the sandbox works
      expect(session.tools.map((tool) => tool.name)).toEqual(
        expect.arrayContaining(['formalize_task', 'generate_code', 'review_code']),
      );
      fixture.emulator.script({ text: GENERATE_REPLY });
      const observation = await session.call(
        'generate_code',
        { task: 'merge intervals' },
        { signal: signal(), timeoutMs: 10_000 },
      );
      expect(observation).toMatchObject({ ok: true, structured: { language: 'python' } });
    } finally {
      await session.close();
    }
    const metrics = (await request(fixture.gateway.baseUrl).get('/metrics')).text;
    expect(metrics).toMatch(
      /mcp_gateway_tool_calls_total\{tool="generate_code",transport="streamable-http",outcome="ok",era="modern"\} 1/,
    );
    // no 2025 session was opened for it
    expect(metrics).not.toMatch(/mcp_gateway_open_sessions\{transport="streamable-http"\} [1-9]/);
  });

  it('falls back to the 2025 handshake against a 2025-only server (bare SDK v1)', async () => {
    const legacy = await startLegacyOnlyServer();
    try {
      const session = await new McpToolGateway({ kind: 'http', url: legacy.url }).connect();
      expect(session.tools.map((tool) => tool.name)).toEqual(['echo']);
      const observation = await session.call('echo', { text: 'hi' }, { signal: signal(), timeoutMs: 5_000 });
      expect(observation).toEqual({ ok: true, structured: undefined, text: 'echo: hi' });
      await session.close();
    } finally {
      await legacy.close();
    }
  });

  it('talks to the built gateway over stdio', async () => {
    const target = {
      kind: 'stdio' as const,
      command: process.execPath,
      args: [BUILT_GATEWAY, '--stdio'],
      cwd: REPO_ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        LOG_LEVEL: 'silent',
        MODEL_MAX_RETRIES: '0',
        ...(emulatorEndpoint(fixture.emulator.url) as Record<string, string>),
      },
    };
    const session = await new McpToolGateway(target).connect();
    try {
      fixture.emulator.script({ text: GENERATE_REPLY });
      const observation = await session.call(
        'generate_code',
        { task: 'x' },
        { signal: signal(), timeoutMs: 10_000 },
      );
      expect(observation.ok).toBe(true);
    } finally {
      await session.close();
    }
  }, 60_000);
});

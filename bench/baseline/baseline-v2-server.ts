import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TOOL_CONTRACTS, TOOL_NAMES } from '@app/contracts';
import type { ModelClient } from '@app/inference';
import { toNodeHandler } from '@modelcontextprotocol/node';
import { Server, createMcpHandler } from '@modelcontextprotocol/server';
import { baselineCallResult, runBaselineTool } from './baseline-tools';
import type { BaselineServer } from './baseline-server';

const TOOLS = TOOL_NAMES.map((name) => ({
  name,
  title: TOOL_CONTRACTS[name].title,
  description: TOOL_CONTRACTS[name].description,
  inputSchema: TOOL_CONTRACTS[name].inputJsonSchema as { type: 'object' },
  outputSchema: TOOL_CONTRACTS[name].outputJsonSchema as { type: 'object' },
  annotations: TOOL_CONTRACTS[name].annotations,
}));

/** The bare server the SDK v2 documentation shows: one factory, a fresh low-level Server per request. */
function createV2Server(model: ModelClient): Server {
  const server = new Server({ name: 'bench-baseline-v2', version: '0.0.0' }, { capabilities: { tools: {} } });
  server.setRequestHandler('tools/list', () => ({ tools: TOOLS }));
  server.setRequestHandler('tools/call', (request, ctx) =>
    baselineCallResult(() =>
      runBaselineTool(model, request.params.name, request.params.arguments, { signal: ctx.mcpReq.signal }),
    ),
  );
  return server;
}

/**
 * The 2026-07-28 yardstick: a bare `@modelcontextprotocol/server` 2.x `createMcpHandler` on plain
 * `node:http` (`toNodeHandler`), the same tools through the same inference client. Stateless: nothing is
 * kept between requests (2025 clients get the SDK's stateless fallback).
 */
export async function startBaselineV2Server(model: ModelClient, port = 0): Promise<BaselineServer> {
  const handler = createMcpHandler(() => createV2Server(model));
  const serve = toNodeHandler(handler);
  const http: HttpServer = createServer((req, res) => void serve(req, res));
  await new Promise<void>((resolve) => http.listen(port, '127.0.0.1', resolve));
  const { port: bound } = http.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${bound}/mcp`,
    openSessions: () => 0,
    close: async () => {
      await handler.close();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

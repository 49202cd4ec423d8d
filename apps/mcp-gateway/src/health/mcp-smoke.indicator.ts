import { MODEL_TOOL_NAMES } from '@app/contracts';
import { Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServerFactory } from '../mcp/v1/mcp-server.factory';

const SMOKE_TIMEOUT_MS = 2_000;
/** Readiness probes every few seconds must stay cheap: one real discovery per window is enough. */
export const SMOKE_CACHE_MS = 5_000;

/**
 * Tool discovery through a real MCP client: initialize + tools/list against a server built exactly like the
 * ones sessions get, over an in-memory transport. Proves the MCP stack, not just that the process runs.
 */
@Injectable()
export class McpSmokeIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    private readonly factory: McpServerFactory,
  ) {}

  check(): PromiseLike<HealthIndicatorResult<'mcp'>> {
    return this.health
      .check('mcp')
      .attempt(() => this.discoverTools())
      .withTimeout(SMOKE_TIMEOUT_MS)
      .cacheFor(SMOKE_CACHE_MS);
  }

  async discoverTools(): Promise<{ tools: string[] }> {
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    const server = this.factory.create('in-memory');
    const client = new Client({ name: 'gateway-readiness-probe', version: '1.0.0' });
    try {
      await server.connect(serverSide);
      await client.connect(clientSide);
      const tools = (await client.listTools()).tools.map((tool) => tool.name);
      const missing = MODEL_TOOL_NAMES.filter((name) => !tools.includes(name));
      if (missing.length > 0) throw new Error(`tools missing from tools/list: ${missing.join(', ')}`);
      return { tools };
    } finally {
      await client.close();
      await server.close();
    }
  }
}

import { MODEL_TOOL_NAMES } from '@app/contracts';
import { Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServerFactory } from '../mcp/v1/mcp-server.factory';
import { ModernHttpService } from '../mcp/v2/modern-http.service';

const SMOKE_TIMEOUT_MS = 2_000;
/** Readiness probes every few seconds must stay cheap: one real discovery per window is enough. */
export const SMOKE_CACHE_MS = 5_000;

/**
 * Tool discovery on both protocol eras: initialize + tools/list through a real MCP client against a server
 * built exactly like the ones 2025 sessions get (in-memory transport), and a 2026-07-28 tools/list through the
 * SDK v2 handler that serves those requests. Proves the MCP stack, not just that the process runs.
 */
@Injectable()
export class McpSmokeIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    private readonly factory: McpServerFactory,
    private readonly modern: ModernHttpService,
  ) {}

  check(): PromiseLike<HealthIndicatorResult<'mcp'>> {
    return this.health
      .check('mcp')
      .attempt(() => this.discoverTools())
      .withTimeout(SMOKE_TIMEOUT_MS)
      .cacheFor(SMOKE_CACHE_MS);
  }

  async discoverTools(): Promise<{ tools: string[] }> {
    const tools = await this.discoverLegacyTools();
    requireModelTools(await this.modern.listToolNames(), '2026-07-28 tools/list');
    return { tools };
  }

  private async discoverLegacyTools(): Promise<string[]> {
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    const server = this.factory.create('in-memory');
    const client = new Client({ name: 'gateway-readiness-probe', version: '1.0.0' });
    try {
      await server.connect(serverSide);
      await client.connect(clientSide);
      return requireModelTools(
        (await client.listTools()).tools.map((tool) => tool.name),
        'tools/list',
      );
    } finally {
      await client.close();
      await server.close();
    }
  }
}

function requireModelTools(tools: string[], source: string): string[] {
  const missing = MODEL_TOOL_NAMES.filter((name) => !tools.includes(name));
  if (missing.length > 0) throw new Error(`tools missing from ${source}: ${missing.join(', ')}`);
  return tools;
}

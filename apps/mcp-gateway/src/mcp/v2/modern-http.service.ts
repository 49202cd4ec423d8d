import type { ServerResponse } from 'node:http';
import { gatewayConfig, type GatewayConfigType } from '@app/config';
import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import {
  CLIENT_CAPABILITIES_META_KEY,
  CLIENT_INFO_META_KEY,
  PROTOCOL_VERSION_META_KEY,
  createMcpHandler,
  type McpHttpHandler,
  type McpRequestContext,
} from '@modelcontextprotocol/server';
import type { GatewayRequest } from '../../http/http-errors';
import { GatewayLogger } from '../../logging/gateway-logger';
import { MODERN_PROTOCOL_VERSION } from '../mcp-protocol';
import { ModernServerFactory } from './modern-server.factory';
import { serveWebExchange, type ExchangeHooks } from './web-exchange';

/**
 * MCP 2026-07-28 over Streamable HTTP (SDK v2 `createMcpHandler`): every request is self-contained — a fresh
 * server per request, no session, nothing kept between requests — so any replica can answer any request.
 * The SDK validates the per-request `_meta` envelope, the `MCP-Protocol-Version`/`Mcp-Method`/`Mcp-Name`
 * headers and answers `server/discover`. 2025-era traffic never reaches it (`legacy: 'reject'`): the era
 * router sends that to the v1 sessions.
 */
@Injectable()
export class ModernHttpService implements OnModuleDestroy {
  private readonly handler: McpHttpHandler;
  private readonly hooks: ExchangeHooks;
  /** the JSON-RPC method of each exchange in flight: its server instance needs that one handler only */
  private readonly methods = new WeakMap<Request, string>();

  constructor(
    factory: ModernServerFactory,
    logger: GatewayLogger,
    @Inject(gatewayConfig.KEY) config: GatewayConfigType,
  ) {
    const onerror = (error: Error) =>
      logger.warn({ event: 'mcp_modern_error', error: error.message }, 'MCP 2026 request failed');
    this.hooks = { onerror, onRequest: (request, req) => this.remember(request, req.body) };
    const create = (ctx: McpRequestContext) =>
      factory.create('streamable-http', ctx, ctx.requestInfo && this.methods.get(ctx.requestInfo));
    this.handler = createMcpHandler(create, {
      legacy: 'reject',
      maxRequestBodySize: config.bodyLimitBytes,
      onerror,
    });
  }

  /** The body was already read and parsed by the gateway's own body step (limit, 413/400 as JSON-RPC). */
  handle(req: GatewayRequest, res: ServerResponse): Promise<void> {
    return serveWebExchange(this.handler, req, res, this.hooks);
  }

  private remember(request: Request, body: unknown): void {
    const method = (body as { method?: unknown } | null | undefined)?.method;
    if (typeof method === 'string') this.methods.set(request, method);
  }

  /**
   * tools/list over the 2026-07-28 handler itself, in process (readiness smoke): the same SDK v2 path a
   * client's request takes after the HTTP guards, without a socket.
   */
  async listToolNames(signal?: AbortSignal): Promise<string[]> {
    const body = {
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/list',
      params: {
        _meta: {
          [PROTOCOL_VERSION_META_KEY]: MODERN_PROTOCOL_VERSION,
          [CLIENT_CAPABILITIES_META_KEY]: {},
          [CLIENT_INFO_META_KEY]: { name: 'gateway-readiness-probe', version: '1.0.0' },
        },
      },
    };
    const headers = {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': MODERN_PROTOCOL_VERSION,
      'mcp-method': 'tools/list',
    };
    const request = new Request('http://localhost/mcp', { method: 'POST', headers, signal });
    const response = await this.handler.fetch(request, { parsedBody: body });
    const answer = (await response.json()) as { result?: { tools?: Array<{ name: string }> } };
    if (!answer.result?.tools) throw new Error(`2026-07-28 tools/list answered ${JSON.stringify(answer)}`);
    return answer.result.tools.map((tool) => tool.name);
  }

  /** Aborts in-flight 2026 exchanges (their handlers, hence their model requests). */
  async onModuleDestroy(): Promise<void> {
    await this.handler.close();
  }
}

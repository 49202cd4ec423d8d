import { gatewayConfig, type GatewayConfigType } from '@app/config';
import { Inject, Injectable } from '@nestjs/common';
import {
  LOG_LEVEL_META_KEY,
  SUPPORTED_PROTOCOL_VERSIONS,
  Server,
  type CacheHint,
  type CallToolRequest,
  type CallToolResult,
  type JSONRPCRequest,
  type McpRequestContext,
  type Result,
  type ServerContext,
} from '@modelcontextprotocol/server';
import { ToolCatalog } from '../../tools/tool-catalog';
import type { TransportKind } from '../../tools/tool.types';
import { MODERN_PROTOCOL_VERSION, isLoggingLevel, type LoggingLevel, type McpEra } from '../mcp-protocol';
import { McpToolCalls } from '../mcp-tool-calls';
import { PromptCatalog, type CompleteParams } from '../prompt-catalog';
import { CAPABILITIES, INSTRUCTIONS, SERVER_INFO } from '../server-identity';
import { McpTaskRegistry } from '../tasks/task-registry';
import { traceContextOf } from '../../logging/trace-context';
import {
  TASKS_EXTENSION,
  TaskAwareServer,
  declaresTasks,
  registerTaskMethods,
  taskOwnerOf,
} from './task-aware-server';

/** 2026-07-28 adds the Tasks extension to what the gateway offers (extensions live in capabilities). */
const MODERN_CAPABILITIES = { ...CAPABILITIES, extensions: { [TASKS_EXTENSION]: {} } };

/**
 * How long a client (or a shared cache, when no API keys guard the gateway) may reuse the lists: they
 * change only with a new gateway version (spec 2026-07-28 changelog, minor change 5: `ttlMs`/`cacheScope`).
 */
const LIST_TTL_MS = 5 * 60_000;

/**
 * server/discover names every revision this endpoint answers: 2026-07-28 per request, the 2025 ones (and
 * 2024-11-05) through initialize — the SDK's own answer lists only the modern ones.
 */
const DISCOVERED_VERSIONS = [MODERN_PROTOCOL_VERSION, ...SUPPORTED_PROTOCOL_VERSIONS];

/** Per-connection state of a 2025-era stdio connection: the level chosen with logging/setLevel. */
interface LegacyConnectionState {
  logLevel?: LoggingLevel;
}

/**
 * SDK v2: builds the server for one 2026-07-28 HTTP request (createMcpHandler calls it per request) or
 * one stdio connection of either era (serveStdio pins it per connection). Same tools, prompts and
 * execution path as the v1 servers; handlers are closures over singletons, so building one is cheap.
 */
@Injectable()
export class ModernServerFactory {
  private readonly cacheHints: Record<'tools/list' | 'prompts/list' | 'server/discover', CacheHint>;

  constructor(
    private readonly catalog: ToolCatalog,
    private readonly toolCalls: McpToolCalls,
    private readonly prompts: PromptCatalog,
    private readonly tasks: McpTaskRegistry,
    @Inject(gatewayConfig.KEY) config: GatewayConfigType,
  ) {
    // with API keys the lists answer authenticated requests only: no shared cache may keep them
    const hint: CacheHint = {
      ttlMs: LIST_TTL_MS,
      cacheScope: config.apiKeys.length > 0 ? 'private' : 'public',
    };
    this.cacheHints = { 'tools/list': hint, 'prompts/list': hint, 'server/discover': hint };
  }

  create(transport: TransportKind, context: Pick<McpRequestContext, 'era'>): Server {
    const modern = context.era === 'modern';
    const capabilities = modern ? MODERN_CAPABILITIES : CAPABILITIES;
    const server = new TaskAwareServer(SERVER_INFO, {
      capabilities,
      instructions: INSTRUCTIONS,
      cacheHints: this.cacheHints,
    });
    const state: LegacyConnectionState = {};
    server.setRequestHandler('server/discover', () => ({
      supportedVersions: DISCOVERED_VERSIONS,
      capabilities,
      instructions: INSTRUCTIONS,
    }));
    if (modern) {
      server.startTask = (request, ctx) => this.startTask(request, ctx, transport);
      registerTaskMethods(server, this.tasks);
    }
    server.setRequestHandler('tools/list', () => this.catalog.listToolsResult);
    server.setRequestHandler('tools/call', (request, ctx) =>
      this.callTool(server, request, ctx, transport, { era: context.era, state }),
    );
    server.setRequestHandler('prompts/list', () => this.prompts.listPromptsResult);
    server.setRequestHandler('prompts/get', (request) => this.prompts.get(request.params));
    server.setRequestHandler('completion/complete', (request) =>
      this.prompts.complete(request.params as CompleteParams),
    );
    // 2025 connections choose a level once; 2026 requests carry it in _meta (the method is gone there)
    if (context.era === 'legacy') {
      server.setRequestHandler('logging/setLevel', (request) => {
        state.logLevel = request.params.level;
        return {};
      });
    }
    keepOwnDiscover(server);
    return server;
  }

  /** A long tool asked for by a client that declared the Tasks extension runs as a task (spec: server's choice). */
  private startTask(
    request: JSONRPCRequest,
    ctx: ServerContext,
    transport: TransportKind,
  ): Result | undefined {
    const { name, arguments: args } = (request.params ?? {}) as { name?: unknown; arguments?: unknown };
    if (typeof name !== 'string' || !declaresTasks(ctx) || !this.tasks.canRunAsTask(name)) return undefined;
    const task = this.tasks.start({
      tool: name,
      args,
      owner: taskOwnerOf(ctx),
      transport,
      requestId: ctx.http?.req?.headers.get('x-request-id') ?? undefined,
      trace: traceContextOf(ctx.mcpReq._meta, ctx.http?.req?.headers),
    });
    return { ...task, resultType: 'task' };
  }

  private async callTool(
    server: Server,
    request: CallToolRequest,
    ctx: ServerContext,
    transport: TransportKind,
    connection: { era: McpEra; state: LegacyConnectionState },
  ): Promise<CallToolResult> {
    const { name, arguments: args } = request.params;
    const result = await this.toolCalls.call(name, args, {
      signal: ctx.mcpReq.signal,
      notify: (notification) => ctx.mcpReq.notify(notification),
      transport,
      era: connection.era,
      requestId: ctx.http?.req?.headers.get('x-request-id') ?? undefined,
      progressToken: ctx.mcpReq._meta?.progressToken,
      logLevel: connection.era === 'modern' ? requestedLogLevel(ctx) : connection.state.logLevel,
      trace: traceContextOf(ctx.mcpReq._meta, ctx.http?.req?.headers),
    });
    const outputSchema = this.catalog.outputSchemaOf(name);
    return server.projectCallToolResult(result, outputSchema);
  }
}

/**
 * The serving entries (createMcpHandler, serveStdio) install the SDK's own server/discover after the factory
 * ran, and that one lists the modern revisions only; this instance keeps the handler registered above.
 */
function keepOwnDiscover(server: Server): void {
  const register = server.setRequestHandler.bind(server) as (method: string, ...rest: unknown[]) => void;
  const guarded = (method: string, ...rest: unknown[]) => {
    if (method !== 'server/discover') register(method, ...rest);
  };
  server.setRequestHandler = guarded;
}

/** 2026-07-28: the level travels per request in `_meta`; absent means no log notifications (SEP-2575). */
function requestedLogLevel(ctx: ServerContext): LoggingLevel | undefined {
  const envelope = ctx.mcpReq.envelope as Record<string, unknown> | undefined;
  const level = envelope?.[LOG_LEVEL_META_KEY];
  return isLoggingLevel(level) ? level : undefined;
}

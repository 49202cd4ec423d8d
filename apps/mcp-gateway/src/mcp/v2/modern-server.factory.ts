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

/** One server being built: what its handlers close over. */
interface ServerInstance {
  server: TaskAwareServer;
  transport: TransportKind;
  era: McpEra;
  capabilities: typeof CAPABILITIES;
  state: LegacyConnectionState;
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

  /**
   * `method`: the one request a 2026 HTTP server instance will serve (it lives for one exchange), so only its
   * handler is registered — building every handler for every call cost more than the SDK server itself
   * (measured ≈ 13 µs of 15 per call). Without it (stdio: a connection serves many) every handler is.
   */
  create(transport: TransportKind, context: Pick<McpRequestContext, 'era'>, method?: string): Server {
    const modern = context.era === 'modern';
    const capabilities = modern ? MODERN_CAPABILITIES : CAPABILITIES;
    const server = new TaskAwareServer(SERVER_INFO, {
      capabilities,
      instructions: INSTRUCTIONS,
      cacheHints: this.cacheHints,
    });
    const instance: ServerInstance = { server, transport, era: context.era, capabilities, state: {} };
    const only = method === undefined ? undefined : this.registrars.get(method);
    for (const register of only ? [only] : new Set(this.registrars.values())) register(instance);
    keepOwnDiscover(server);
    return server;
  }

  /** Each method's registration, by method name (the task methods share one, as do 2025-only ones). */
  private readonly registrars: ReadonlyMap<string, (instance: ServerInstance) => void> = (() => {
    const tasks = (instance: ServerInstance) => this.registerTasks(instance);
    return new Map<string, (instance: ServerInstance) => void>([
      ['server/discover', ({ server, capabilities }) => registerDiscover(server, capabilities)],
      [
        'tools/list',
        ({ server }) => server.setRequestHandler('tools/list', () => this.catalog.listToolsResult),
      ],
      ['tools/call', (instance) => this.registerToolCall(instance)],
      [
        'prompts/list',
        ({ server }) => server.setRequestHandler('prompts/list', () => this.prompts.listPromptsResult),
      ],
      [
        'prompts/get',
        ({ server }) =>
          server.setRequestHandler('prompts/get', (request) => this.prompts.get(request.params)),
      ],
      [
        'completion/complete',
        ({ server }) =>
          server.setRequestHandler('completion/complete', (request) =>
            this.prompts.complete(request.params as CompleteParams),
          ),
      ],
      ['logging/setLevel', registerSetLevel],
      ['tasks/get', tasks],
      ['tasks/cancel', tasks],
      ['tasks/update', tasks],
    ]);
  })();

  private registerToolCall(instance: ServerInstance): void {
    const { server, transport, era } = instance;
    if (era === 'modern') server.startTask = (request, ctx) => this.startTask(request, ctx, transport);
    server.setRequestHandler('tools/call', (request, ctx) => this.callTool(instance, request, ctx));
  }

  /** The Tasks extension's methods exist on 2026-07-28 only. */
  private registerTasks({ server, era }: ServerInstance): void {
    if (era === 'modern') registerTaskMethods(server, this.tasks);
  }

  /**
   * A long tool asked for by a client that declared the Tasks extension runs as a task (spec: server's
   * choice); undefined — answer inline — when it is not one, or the task could not be stored.
   */
  private async startTask(
    request: JSONRPCRequest,
    ctx: ServerContext,
    transport: TransportKind,
  ): Promise<Result | undefined> {
    const { name, arguments: args } = (request.params ?? {}) as { name?: unknown; arguments?: unknown };
    if (typeof name !== 'string' || !declaresTasks(ctx) || !this.tasks.canRunAsTask(name)) return undefined;
    const task = await this.tasks.start({
      tool: name,
      args,
      owner: taskOwnerOf(ctx),
      transport,
      requestId: ctx.http?.req?.headers.get('x-request-id') ?? undefined,
      trace: traceContextOf(ctx.mcpReq._meta, ctx.http?.req?.headers),
    });
    return task && { ...task, resultType: 'task' };
  }

  private async callTool(
    { server, transport, era, state }: ServerInstance,
    request: CallToolRequest,
    ctx: ServerContext,
  ): Promise<CallToolResult> {
    const { name, arguments: args } = request.params;
    const result = await this.toolCalls.call(name, args, {
      signal: ctx.mcpReq.signal,
      notify: (notification) => ctx.mcpReq.notify(notification),
      transport,
      era,
      requestId: ctx.http?.req?.headers.get('x-request-id') ?? undefined,
      progressToken: ctx.mcpReq._meta?.progressToken,
      logLevel: era === 'modern' ? requestedLogLevel(ctx) : state.logLevel,
      trace: traceContextOf(ctx.mcpReq._meta, ctx.http?.req?.headers),
    });
    const outputSchema = this.catalog.outputSchemaOf(name);
    return server.projectCallToolResult(result, outputSchema);
  }
}

function registerDiscover(server: Server, capabilities: typeof CAPABILITIES): void {
  server.setRequestHandler('server/discover', () => ({
    supportedVersions: DISCOVERED_VERSIONS,
    capabilities,
    instructions: INSTRUCTIONS,
  }));
}

/** 2025 connections choose a level once; 2026 requests carry it in _meta (the method is gone there). */
function registerSetLevel({ server, era, state }: ServerInstance): void {
  if (era !== 'legacy') return;
  server.setRequestHandler('logging/setLevel', (request) => {
    state.logLevel = request.params.level;
    return {};
  });
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

import { Injectable } from '@nestjs/common';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import {
  CallToolRequestSchema,
  CompleteRequestSchema,
  GetPromptRequestSchema,
  ListPromptsRequestSchema,
  ListToolsRequestSchema,
  SetLevelRequestSchema,
  type CallToolRequest,
  type CallToolResult,
  type ServerNotification,
  type ServerRequest,
} from '@modelcontextprotocol/sdk/types.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv-provider.js';
import { ToolCatalog } from '../../tools/tool-catalog';
import type { TransportKind } from '../../tools/tool.types';
import type { LoggingLevel } from '../mcp-protocol';
import { McpToolCalls } from '../mcp-tool-calls';
import { PromptCatalog } from '../prompt-catalog';
import { CAPABILITIES, INSTRUCTIONS, SERVER_INFO } from '../server-identity';
import { traceContextOf } from '../../logging/trace-context';

type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;

/** Per-connection state: the level the client asked for with logging/setLevel (none → no log notifications). */
interface ConnectionState {
  logLevel?: LoggingLevel;
}

/**
 * SDK v1: builds one MCP server per session (or per stateless request) for the 2025 revisions over
 * Streamable HTTP and 2024-11-05 over /sse. Handlers are closures over singletons built once (tool list,
 * JSON Schemas, validator), so a new server costs a few small objects, not work. The low-level handlers
 * serve the contracts' JSON Schemas exactly as written.
 */
@Injectable()
export class McpServerFactory {
  private readonly validator = new AjvJsonSchemaValidator();

  constructor(
    private readonly catalog: ToolCatalog,
    private readonly toolCalls: McpToolCalls,
    private readonly prompts: PromptCatalog,
  ) {}

  create(transport: TransportKind): McpServer {
    const mcp = new McpServer(SERVER_INFO, {
      instructions: INSTRUCTIONS,
      jsonSchemaValidator: this.validator,
    });
    const server = mcp.server;
    const state: ConnectionState = {};
    server.registerCapabilities(CAPABILITIES);
    server.setRequestHandler(ListToolsRequestSchema, () => this.catalog.listToolsResult);
    server.setRequestHandler(CallToolRequestSchema, (request, extra) =>
      this.callTool(request, extra, transport, state),
    );
    server.setRequestHandler(SetLevelRequestSchema, (request) => {
      state.logLevel = request.params.level;
      return {};
    });
    server.setRequestHandler(ListPromptsRequestSchema, () => this.prompts.listPromptsResult);
    server.setRequestHandler(GetPromptRequestSchema, (request) => this.prompts.get(request.params));
    server.setRequestHandler(CompleteRequestSchema, (request) => this.prompts.complete(request.params));
    return mcp;
  }

  private callTool(
    request: CallToolRequest,
    extra: Extra,
    transport: TransportKind,
    state: ConnectionState,
  ): Promise<CallToolResult> {
    const { name, arguments: args, _meta: meta } = request.params;
    const requestId = extra.requestInfo?.headers['x-request-id'];
    return this.toolCalls.call(name, args, {
      signal: extra.signal,
      notify: (notification) => extra.sendNotification(notification as ServerNotification),
      transport,
      era: 'legacy',
      requestId: typeof requestId === 'string' ? requestId : undefined,
      progressToken: meta?.progressToken,
      logLevel: state.logLevel,
      trace: traceContextOf(meta, extra.requestInfo?.headers),
    });
  }
}

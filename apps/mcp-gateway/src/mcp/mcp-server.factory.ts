import { Injectable } from '@nestjs/common';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import {
  CallToolRequestSchema,
  CompleteRequestSchema,
  ErrorCode,
  GetPromptRequestSchema,
  ListPromptsRequestSchema,
  ListToolsRequestSchema,
  McpError,
  SetLevelRequestSchema,
  type CallToolRequest,
  type CallToolResult,
  type LoggingLevel,
  type ServerNotification,
  type ServerRequest,
} from '@modelcontextprotocol/sdk/types.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv-provider.js';
import { ToolCatalog } from '../tools/tool-catalog';
import { ToolExecutionService } from '../tools/tool-execution.service';
import type { ToolOutcome, TransportKind } from '../tools/tool.types';
import { toCallToolResult } from './call-tool-result';
import { ProgressReporter } from './progress-reporter';
import { PromptCatalog } from './prompt-catalog';

type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;

export const SERVER_INFO = {
  name: 'code-model-mcp-gateway',
  title: 'Code model MCP gateway',
  version: '0.1.0',
};
const INSTRUCTIONS =
  'Tools backed by self-hosted code models: formalize_task turns a request into a spec, generate_code writes ' +
  'code for a task or spec, review_code reviews code. Calls stream progress when you send a progressToken.';
const CAPABILITIES = {
  tools: { listChanged: false },
  prompts: { listChanged: false },
  completions: {},
  logging: {},
};
const LEVELS: readonly LoggingLevel[] = [
  'debug',
  'info',
  'notice',
  'warning',
  'error',
  'critical',
  'alert',
  'emergency',
];

/** Per-connection state: the level the client asked for with logging/setLevel (none → no log notifications). */
interface ConnectionState {
  logLevel?: LoggingLevel;
}

/**
 * Builds one MCP server per session (or per stateless request). Handlers are closures over singletons
 * built once (tool list, JSON Schemas, validator), so a new server costs a few small objects, not work.
 * The low-level handlers serve the contracts' JSON Schemas exactly as written.
 */
@Injectable()
export class McpServerFactory {
  private readonly validator = new AjvJsonSchemaValidator();

  constructor(
    private readonly catalog: ToolCatalog,
    private readonly executor: ToolExecutionService,
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

  private async callTool(
    request: CallToolRequest,
    extra: Extra,
    transport: TransportKind,
    state: ConnectionState,
  ): Promise<CallToolResult> {
    const { name, arguments: args, _meta: meta } = request.params;
    if (!this.executor.has(name)) {
      const known = this.catalog.tools.map((tool) => tool.name).join(', ');
      throw new McpError(ErrorCode.InvalidParams, `Unknown tool: ${name}. Available tools: ${known}`);
    }
    const token = meta?.progressToken;
    const progress = token === undefined ? undefined : new ProgressReporter(token, extra.sendNotification);
    const requestId = extra.requestInfo?.headers['x-request-id'];
    const outcome = await this.executor.execute(name, args, {
      signal: extra.signal,
      onToken: progress?.onToken,
      onProgress: progress?.onStage,
      onWaiting: progress?.onWaiting,
      transport,
      requestId: typeof requestId === 'string' ? requestId : undefined,
    });
    // most clients never ask for log notifications: no extra async step for them
    if (state.logLevel !== undefined) await this.log(state.logLevel, extra, name, outcome);
    return toCallToolResult(outcome);
  }

  /** The logging capability: failures at `error`, successes at `debug`, only once the client chose a level. */
  private async log(chosen: LoggingLevel, extra: Extra, tool: string, outcome: ToolOutcome): Promise<void> {
    const level: LoggingLevel = outcome.ok ? 'debug' : 'error';
    if (LEVELS.indexOf(level) < LEVELS.indexOf(chosen)) return;
    const data = outcome.ok
      ? { tool, outcome: 'ok' }
      : { tool, code: outcome.error.code, message: outcome.error.message };
    await extra
      .sendNotification({ method: 'notifications/message', params: { level, logger: 'mcp-gateway', data } })
      .catch(() => undefined);
  }
}

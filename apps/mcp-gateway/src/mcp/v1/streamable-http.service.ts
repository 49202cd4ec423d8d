import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { gatewayConfig, type GatewayConfigType } from '@app/config';
import { Inject, Injectable } from '@nestjs/common';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { RequestId } from '@modelcontextprotocol/sdk/types.js';
import {
  JSON_RPC,
  sendJsonRpcError,
  sendMethodNotAllowed,
  sendTooManySessions,
  type GatewayRequest,
} from '../../http/http-errors';
import { OpenResponses } from '../../http/open-responses';
import { checkJsonRpcBody, isInitializeAttempt } from '../json-rpc-guard';
import { McpServerFactory } from './mcp-server.factory';
import { McpSessionRegistry, type McpSession } from './session-registry';

type HttpSession = McpSession<StreamableHTTPServerTransport>;

function sessionIdOf(req: GatewayRequest): string | undefined {
  const value = req.headers['mcp-session-id'];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function messagesOf(body: unknown): unknown[] {
  return Array.isArray(body) ? body : [body];
}

/** The id of a JSON-RPC request (not a notification or response); the SDK transport validates the rest. */
function requestIdOf(message: unknown): RequestId | undefined {
  if (typeof message !== 'object' || message === null) return undefined;
  const { jsonrpc, method, id } = message as { jsonrpc?: unknown; method?: unknown; id?: unknown };
  if (jsonrpc !== '2.0' || typeof method !== 'string') return undefined;
  return typeof id === 'string' || (typeof id === 'number' && Number.isInteger(id)) ? id : undefined;
}

/** Plain property checks, not a schema parse: this runs on every POST just to read ids. */
function requestIdsOf(body: unknown): RequestId[] {
  const ids: RequestId[] = [];
  for (const message of messagesOf(body)) {
    const id = requestIdOf(message);
    if (id !== undefined) ids.push(id);
  }
  return ids;
}

/**
 * MCP Streamable HTTP at /mcp. Stateful (default): one transport + server per session, kept in the registry.
 * Stateless (GATEWAY_MCP_MODE=stateless): a fresh transport + server per POST, nothing kept, so any replica
 * behind a plain load balancer can answer any request.
 */
@Injectable()
export class StreamableHttpService {
  /** POSTs whose event stream is still open (GET streams are not waited for: they never end by themselves) */
  readonly openPosts = new OpenResponses();

  constructor(
    @Inject(gatewayConfig.KEY) private readonly config: GatewayConfigType,
    private readonly factory: McpServerFactory,
    private readonly sessions: McpSessionRegistry,
  ) {}

  async handlePost(req: GatewayRequest, res: ServerResponse): Promise<void> {
    this.openPosts.track(res);
    // a body present but not JSON-RPC (or with params its method refuses) never reaches the SDK
    const refusal = req.body === undefined ? undefined : checkJsonRpcBody(req.body);
    if (refusal) return sendJsonRpcError(res, 400, refusal.code, refusal.message, refusal.id);
    if (this.config.mcpMode === 'stateless') return this.handleStateless(req, res);
    const sessionId = sessionIdOf(req);
    if (sessionId !== undefined) return this.forward(sessionId, req, res);
    if (!isInitializeAttempt(req.body)) {
      const message = 'Bad Request: Mcp-Session-Id header is required (start with an initialize request)';
      return sendJsonRpcError(res, 400, JSON_RPC.serverError, message);
    }
    return this.initialize(req, res);
  }

  /** Any other method on /mcp: 405 with the methods this mode serves. */
  rejectMethod(req: GatewayRequest, res: ServerResponse): void {
    sendMethodNotAllowed(
      req,
      res,
      this.config.mcpMode === 'stateless' ? ['POST'] : ['GET', 'POST', 'DELETE'],
    );
  }

  /** GET (standalone event stream) and DELETE (end session) need an existing session. */
  async handleSessionRequest(req: GatewayRequest, res: ServerResponse): Promise<void> {
    if (this.config.mcpMode === 'stateless') {
      res.setHeader('allow', 'POST');
      return sendJsonRpcError(
        res,
        405,
        JSON_RPC.serverError,
        'Method not allowed: this gateway runs stateless (POST only)',
      );
    }
    const sessionId = sessionIdOf(req);
    if (sessionId === undefined) {
      return sendJsonRpcError(
        res,
        400,
        JSON_RPC.serverError,
        'Bad Request: Mcp-Session-Id header is required',
      );
    }
    return this.forward(sessionId, req, res);
  }

  private async forward(sessionId: string, req: GatewayRequest, res: ServerResponse): Promise<void> {
    const session = this.sessions.touch<StreamableHTTPServerTransport>(
      sessionId,
      'streamable-http',
      req.principal,
    );
    if (!session) {
      return sendJsonRpcError(
        res,
        404,
        -32001,
        'Session not found: it expired or was closed; initialize a new one',
      );
    }
    this.cancelOnDisconnect(session, req, res);
    await session.transport.handleRequest(req, res, req.body);
  }

  private async initialize(req: GatewayRequest, res: ServerResponse): Promise<void> {
    if (!this.sessions.hasRoom()) {
      return sendTooManySessions(res);
    }
    const server = this.factory.create('streamable-http');
    const owner = req.principal;
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: randomUUID,
      onsessioninitialized: (id) =>
        this.sessions.add({ id, kind: 'streamable-http', transport, server, owner }),
      onsessionclosed: (id) => this.sessions.remove(id),
    });
    transport.onclose = () => transport.sessionId !== undefined && this.sessions.remove(transport.sessionId);
    await server.connect(transport);
    await transport.handleRequest(req, res, req.body);
  }

  private async handleStateless(req: GatewayRequest, res: ServerResponse): Promise<void> {
    const server = this.factory.create('streamable-http');
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    // Closing the server when the response ends (or the client drops) aborts any handler still running.
    res.on('close', () => void server.close().catch(() => undefined));
    await server.connect(transport);
    await transport.handleRequest(req, res, req.body);
  }

  /**
   * A client that drops a POST's event stream mid-call will never read the answer: tell the session's server
   * the requests are cancelled, which aborts the handlers and with them the upstream model requests.
   */
  private cancelOnDisconnect(session: HttpSession, req: GatewayRequest, res: ServerResponse): void {
    const ids = req.method === 'POST' ? requestIdsOf(req.body) : [];
    if (ids.length === 0) return;
    res.on('close', () => {
      if (res.writableFinished) return;
      for (const requestId of ids) {
        const params = { requestId, reason: 'client disconnected' };
        session.transport.onmessage?.({ jsonrpc: '2.0', method: 'notifications/cancelled', params });
      }
    });
  }
}

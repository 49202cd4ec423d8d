import type { ServerResponse } from 'node:http';
import { gatewayConfig, type GatewayConfigType } from '@app/config';
import { All, Controller, Get, Inject, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { SSEServerTransport } from '@modelcontextprotocol/sdk/server/sse.js';
import {
  JSON_RPC,
  sendJsonRpcError,
  sendMethodNotAllowed,
  sendTooManySessions,
  type GatewayRequest,
} from '../../http/http-errors';
import { MAX_HEARTBEAT_MS, keepStreamAlive } from '../../http/stream-keepalive';
import { checkJsonRpcMessage } from '../json-rpc-guard';
import { McpServerFactory } from './mcp-server.factory';
import { McpSessionRegistry } from './session-registry';

/**
 * Legacy HTTP+SSE transport (protocol 2024-11-05) for older clients: GET /sse opens the event stream and
 * announces `/messages?sessionId=…`, where the client POSTs its messages. The session ends with the stream,
 * or when no message came for GATEWAY_SESSION_TTL_SECONDS (heartbeats keep proxies from cutting it before).
 */
@ApiExcludeController()
@Controller()
export class LegacySseController {
  private readonly heartbeatMs: number;

  constructor(
    @Inject(gatewayConfig.KEY) config: GatewayConfigType,
    private readonly factory: McpServerFactory,
    private readonly sessions: McpSessionRegistry,
  ) {
    // several beats per TTL, so a stream is never silent long enough for a proxy to cut it first
    this.heartbeatMs = Math.max(50, Math.min(MAX_HEARTBEAT_MS, config.sessionIdleTtlMs / 3));
  }

  @Get('sse')
  async open(@Req() req: GatewayRequest, @Res() res: ServerResponse): Promise<void> {
    if (!this.sessions.hasRoom()) {
      return sendTooManySessions(res);
    }
    const transport = new SSEServerTransport('/messages', res);
    const server = this.factory.create('sse');
    const id = transport.sessionId;
    transport.onclose = () => this.sessions.remove(id);
    this.sessions.add({ id, kind: 'sse', transport, server, owner: req.principal });
    await server.connect(transport);
    keepStreamAlive(res, this.heartbeatMs);
  }

  @Post('messages')
  async message(
    @Query('sessionId') sessionId: string | undefined,
    @Req() req: GatewayRequest,
    @Res() res: ServerResponse,
  ): Promise<void> {
    const session = sessionId
      ? this.sessions.touch<SSEServerTransport>(sessionId, 'sse', req.principal)
      : undefined;
    if (!session) {
      const message = sessionId
        ? 'Session not found: open a new stream with GET /sse'
        : 'Bad Request: sessionId query parameter is required';
      return sendJsonRpcError(res, sessionId ? 404 : 400, sessionId ? -32001 : JSON_RPC.serverError, message);
    }
    const refusal = checkJsonRpcMessage(req.body);
    if (refusal) return sendJsonRpcError(res, 400, refusal.code, refusal.message, refusal.id);
    await session.transport.handlePostMessage(req, res, req.body).catch(() => undefined);
  }

  @All('sse')
  otherOnStream(@Req() req: GatewayRequest, @Res() res: ServerResponse): void {
    sendMethodNotAllowed(req, res, ['GET']);
  }

  @All('messages')
  otherOnMessages(@Req() req: GatewayRequest, @Res() res: ServerResponse): void {
    sendMethodNotAllowed(req, res, ['POST']);
  }
}

import type { ServerResponse } from 'node:http';
import { Controller, Get, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { SSEServerTransport } from '@modelcontextprotocol/sdk/server/sse.js';
import { JSONRPCMessageSchema } from '@modelcontextprotocol/sdk/types.js';
import { JSON_RPC, sendJsonRpcError, sendTooManySessions, type GatewayRequest } from '../http/http-errors';
import { McpServerFactory } from './mcp-server.factory';
import { McpSessionRegistry } from './session-registry';

function isJsonRpcBody(body: unknown): boolean {
  return JSONRPCMessageSchema.safeParse(body).success;
}

/**
 * Legacy HTTP+SSE transport (protocol 2024-11-05) for older clients: GET /sse opens the event stream and
 * announces `/messages?sessionId=…`, where the client POSTs its messages. The session ends with the stream.
 */
@ApiExcludeController()
@Controller()
export class LegacySseController {
  constructor(
    private readonly factory: McpServerFactory,
    private readonly sessions: McpSessionRegistry,
  ) {}

  @Get('sse')
  async open(@Res() res: ServerResponse): Promise<void> {
    if (!this.sessions.hasRoom()) {
      return sendTooManySessions(res);
    }
    const transport = new SSEServerTransport('/messages', res);
    const server = this.factory.create('sse');
    const id = transport.sessionId;
    transport.onclose = () => this.sessions.remove(id);
    this.sessions.add({ id, kind: 'sse', transport, server });
    await server.connect(transport);
  }

  @Post('messages')
  async message(
    @Query('sessionId') sessionId: string | undefined,
    @Req() req: GatewayRequest,
    @Res() res: ServerResponse,
  ): Promise<void> {
    const session = sessionId ? this.sessions.touch<SSEServerTransport>(sessionId, 'sse') : undefined;
    if (!session) {
      const message = sessionId
        ? 'Session not found: open a new stream with GET /sse'
        : 'Bad Request: sessionId query parameter is required';
      return sendJsonRpcError(res, sessionId ? 404 : 400, sessionId ? -32001 : JSON_RPC.serverError, message);
    }
    if (!isJsonRpcBody(req.body)) {
      return sendJsonRpcError(
        res,
        400,
        JSON_RPC.invalidRequest,
        'Invalid Request: the body is not a JSON-RPC 2.0 message',
      );
    }
    await session.transport.handlePostMessage(req, res, req.body).catch(() => undefined);
  }
}

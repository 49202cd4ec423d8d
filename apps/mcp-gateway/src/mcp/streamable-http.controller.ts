import type { ServerResponse } from 'node:http';
import { All, Controller, Delete, Get, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { GatewayRequest } from '../http/http-errors';
import { McpEraRouter } from './mcp-era-router';
import { StreamableHttpService } from './v1/streamable-http.service';

/** MCP Streamable HTTP; thin: the era router picks 2026-07-28 (v2) or the 2025 sessions (v1). */
@ApiExcludeController()
@Controller('mcp')
export class StreamableHttpController {
  constructor(
    private readonly service: StreamableHttpService,
    private readonly router: McpEraRouter,
  ) {}

  @Post()
  post(@Req() req: GatewayRequest, @Res() res: ServerResponse): Promise<void> {
    return this.router.handlePost(req, res);
  }

  @Get()
  stream(@Req() req: GatewayRequest, @Res() res: ServerResponse): Promise<void> {
    return this.service.handleSessionRequest(req, res);
  }

  @Delete()
  end(@Req() req: GatewayRequest, @Res() res: ServerResponse): Promise<void> {
    return this.service.handleSessionRequest(req, res);
  }

  /** Declared last, so it only catches the methods above do not serve (PUT, PATCH, …). */
  @All()
  other(@Req() req: GatewayRequest, @Res() res: ServerResponse): void {
    this.service.rejectMethod(req, res);
  }
}

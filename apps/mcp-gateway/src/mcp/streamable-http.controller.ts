import type { ServerResponse } from 'node:http';
import { All, Controller, Delete, Get, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { GatewayRequest } from '../http/http-errors';
import { StreamableHttpService } from './streamable-http.service';

/** MCP Streamable HTTP; thin: the service owns sessions, the SDK transport owns the protocol. */
@ApiExcludeController()
@Controller('mcp')
export class StreamableHttpController {
  constructor(private readonly service: StreamableHttpService) {}

  @Post()
  post(@Req() req: GatewayRequest, @Res() res: ServerResponse): Promise<void> {
    return this.service.handlePost(req, res);
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

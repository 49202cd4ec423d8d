import type { IncomingMessage, ServerResponse } from 'node:http';
import { Body, Controller, Get, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { restErrorBody, sendJson } from '../http/http-errors';
import { ToolCatalog, type ToolDescriptor } from '../tools/tool-catalog';
import { ToolExecutionService } from '../tools/tool-execution.service';
import { retryHeaders, statusOf } from './http-error.filter';
import { traceContextOf } from '../logging/trace-context';

/** REST for internal services: the same tools, validation and error codes as MCP, as plain JSON. */
@ApiTags('tools')
@Controller('v1/tools')
export class ToolsController {
  constructor(
    private readonly catalog: ToolCatalog,
    private readonly executor: ToolExecutionService,
  ) {}

  @Get()
  @ApiOperation({ summary: 'List the tools with their input and output JSON Schemas' })
  list(): { tools: readonly ToolDescriptor[] } {
    return { tools: this.catalog.tools };
  }

  @Post(':name')
  @HttpCode(200)
  @ApiOperation({ summary: 'Call a tool: the body is its input, the answer its structured output' })
  @ApiParam({ name: 'name', enum: ['formalize_task', 'generate_code', 'review_code', 'run_tests'] })
  async call(
    @Param('name') name: string,
    @Body() body: unknown,
    @Req() req: IncomingMessage,
    @Res() res: ServerResponse,
  ): Promise<void> {
    const controller = new AbortController();
    res.on('close', () => !res.writableFinished && controller.abort());
    const requestId = res.getHeader('x-request-id');
    const outcome = await this.executor.execute(name, body, {
      signal: controller.signal,
      transport: 'rest',
      requestId: typeof requestId === 'string' ? requestId : undefined,
      trace: traceContextOf(undefined, req.headers),
    });
    if (outcome.ok) return sendJson(res, 200, outcome.value);
    const { code, message, details } = outcome.error;
    const headers = retryHeaders(outcome.error);
    sendJson(res, statusOf(outcome.error), restErrorBody(res, code, message, details), headers);
  }
}

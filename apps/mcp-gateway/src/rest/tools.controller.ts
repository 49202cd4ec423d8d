import type { ServerResponse } from 'node:http';
import type { IncomingMessage } from 'node:http';
import { Body, Controller, Get, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { restErrorBody, sendJson } from '../http/http-errors';
import type { GatewayError } from '../tools/gateway.error';
import { ToolCatalog, type ToolDescriptor } from '../tools/tool-catalog';
import { ToolExecutionService } from '../tools/tool-execution.service';
import { statusOf } from './http-error.filter';
import { traceContextOf } from '../logging/trace-context';

/** Seconds a client should wait before retrying a call the gateway refused while shutting down. */
const RETRY_AFTER_SHUTDOWN_S = 1;

/** Retryable refusals say when to retry: the model's own Retry-After, or a short wait during shutdown. */
function retryHeaders(error: GatewayError): Record<string, string> | undefined {
  if (error.code === 'UNAVAILABLE') return { 'retry-after': String(RETRY_AFTER_SHUTDOWN_S) };
  const { retryAfterMs } = (error.details ?? {}) as { retryAfterMs?: unknown };
  if (typeof retryAfterMs === 'number' && retryAfterMs > 0)
    return { 'retry-after': String(Math.ceil(retryAfterMs / 1000)) };
  return undefined;
}

/** REST for internal services: the same tools, validation and error codes as MCP, as plain JSON. */
@ApiTags('tools')
@ApiBearerAuth()
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
    sendJson(
      res,
      statusOf(outcome.error),
      restErrorBody(res, code, message, details),
      retryHeaders(outcome.error),
    );
  }
}

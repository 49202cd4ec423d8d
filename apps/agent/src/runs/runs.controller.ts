import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  Param,
  Post,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AgentError } from '../core/agent.errors';
import { CreateRunDto } from './create-run.dto';
import { ListRunsQuery } from './list-runs.query';
import { RUN_BACKEND, type RunBackend } from './run-backend';
import { streamRunEvents } from './run-events.stream';
import { RunsService } from './runs.service';
import type { RunResource, RunSummary } from './store/run-document';

/** The runs API (INTERFACE.md, Agent section): thin delegation to RunsService. */
@Controller('v1/runs')
export class RunsController {
  constructor(
    private readonly runs: RunsService,
    @Inject(RUN_BACKEND) private readonly backend: RunBackend,
  ) {}

  @Post()
  @HttpCode(202)
  async create(
    @Body() body: CreateRunDto,
    @Res({ passthrough: true }) res: ServerResponse,
  ): Promise<{ id: string; status: string }> {
    try {
      const doc = await this.runs.start({
        task: body.task,
        language: body.language,
        maxSteps: body.max_steps,
      });
      res.setHeader('Location', `/v1/runs/${doc.id}`);
      return { id: doc.id, status: doc.status };
    } catch (error) {
      setRetryAfter(error, res);
      throw error;
    }
  }

  @Get()
  list(@Query() query: ListRunsQuery): Promise<{ runs: RunSummary[]; next_cursor?: string }> {
    return this.runs.list({ status: query.status, limit: query.limit ?? 20, cursor: query.cursor });
  }

  @Get(':id')
  get(@Param('id') id: string): Promise<RunResource> {
    return this.runs.get(id);
  }

  @Get(':id/events')
  async events(
    @Param('id') id: string,
    @Req() req: IncomingMessage,
    @Res() res: ServerResponse,
  ): Promise<void> {
    await this.runs.find(id);
    await streamRunEvents(id, this.backend, req, res);
  }

  @Delete(':id')
  cancel(@Param('id') id: string): Promise<RunResource> {
    return this.runs.cancel(id);
  }
}

/** 503 answers say when to come back (`Retry-After`); the error body is written by the exception filter. */
function setRetryAfter(error: unknown, res: ServerResponse): void {
  if (!(error instanceof AgentError) || error.code !== 'UNAVAILABLE') return;
  const details = error.details as { retryAfterSeconds?: number } | undefined;
  res.setHeader('Retry-After', String(details?.retryAfterSeconds ?? 5));
}

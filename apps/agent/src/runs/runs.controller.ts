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
    // a 503 while the queue is unreachable (or a 429 when it is full) gets Retry-After from the filter
    const request = { task: body.task, language: body.language, maxSteps: body.max_steps };
    const doc = await this.runs.start(request);
    res.setHeader('Location', `/v1/runs/${doc.id}`);
    return { id: doc.id, status: doc.status };
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

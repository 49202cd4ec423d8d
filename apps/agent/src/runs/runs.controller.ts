import { Body, Controller, Delete, Get, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RunView } from '../core/agent.types';
import { CreateRunDto } from './create-run.dto';
import { streamRunEvents } from './run-events.stream';
import { RunsService } from './runs.service';

/** The runs API (INTERFACE.md, Agent section): thin delegation to RunsService. */
@Controller('v1/runs')
export class RunsController {
  constructor(private readonly runs: RunsService) {}

  @Post()
  @HttpCode(202)
  create(
    @Body() body: CreateRunDto,
    @Res({ passthrough: true }) res: ServerResponse,
  ): { id: string; status: string } {
    const record = this.runs.start({ task: body.task, language: body.language, maxSteps: body.max_steps });
    res.setHeader('Location', `/v1/runs/${record.id}`);
    return { id: record.id, status: record.currentStatus };
  }

  @Get(':id')
  get(@Param('id') id: string): RunView {
    return this.runs.get(id).view();
  }

  @Get(':id/events')
  events(@Param('id') id: string, @Req() req: IncomingMessage, @Res() res: ServerResponse): void {
    streamRunEvents(this.runs.get(id), req, res);
  }

  @Delete(':id')
  cancel(@Param('id') id: string): Promise<RunView> {
    return this.runs.cancel(id);
  }
}

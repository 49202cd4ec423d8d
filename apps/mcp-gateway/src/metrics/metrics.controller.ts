import type { ServerResponse } from 'node:http';
import { Controller, Get, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { GatewayMetrics } from './gateway-metrics';

@ApiTags('metrics')
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: GatewayMetrics) {}

  @Get()
  @ApiOperation({ summary: 'Prometheus metrics (text format)' })
  async scrape(@Res() res: ServerResponse): Promise<void> {
    const body = await this.metrics.render();
    res.writeHead(200, { 'content-type': this.metrics.contentType });
    res.end(body);
  }
}

import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, type HealthCheckResult } from '@nestjs/terminus';
import { McpSmokeIndicator } from './mcp-smoke.indicator';
import { ModelReadiness } from './model-readiness';

/** Liveness has no dependencies (a slow model must not get the pod restarted); readiness checks what serving needs. */
@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly model: ModelReadiness,
    private readonly mcp: McpSmokeIndicator,
  ) {}

  @Get('live')
  @HealthCheck()
  live(): Promise<HealthCheckResult> {
    return this.health.check([]);
  }

  @Get('ready')
  @HealthCheck()
  ready(): Promise<HealthCheckResult> {
    return this.health.check([() => this.model.check(), () => this.mcp.check()]);
  }
}

import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import {
  HealthCheck,
  HealthCheckService,
  HealthIndicatorService,
  type HealthCheckResult,
  type HealthIndicatorResult,
} from '@nestjs/terminus';
import { McpSessionRegistry } from '../mcp/session-registry';
import { McpSmokeIndicator } from './mcp-smoke.indicator';
import { ModelReadiness } from './model-readiness';

/** Liveness has no dependencies (a slow model must not get the pod restarted); readiness checks what serving needs. */
@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly model: ModelReadiness,
    private readonly mcp: McpSmokeIndicator,
    private readonly sessions: McpSessionRegistry,
  ) {}

  @Get('live')
  @HealthCheck()
  live(): Promise<HealthCheckResult> {
    return this.health.check([]);
  }

  @Get('ready')
  @HealthCheck()
  ready(): Promise<HealthCheckResult> {
    return this.health.check([() => this.model.check(), () => this.mcp.check(), () => this.sessionRoom()]);
  }

  /** A full session table refuses every new client (503): the balancer should send them elsewhere. */
  private sessionRoom(): HealthIndicatorResult {
    const indicator = this.indicators.check('sessions');
    const details = { open: this.sessions.size, max: this.sessions.capacity };
    return this.sessions.hasRoom() ? indicator.up(details) : indicator.down(details);
  }
}

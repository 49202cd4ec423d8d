import { gatewayConfig, type GatewayConfigType } from '@app/config';
import { ApiKeys } from '@app/http-security';
import { Controller, Get, Inject, Req, ServiceUnavailableException } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import {
  HealthCheck,
  HealthCheckService,
  HealthIndicatorService,
  type HealthCheckResult,
  type HealthIndicatorResult,
} from '@nestjs/terminus';
import type { GatewayRequest } from '../http/http-errors';
import { McpSessionRegistry } from '../mcp/v1/session-registry';
import { McpSmokeIndicator } from './mcp-smoke.indicator';
import { ModelReadiness } from './model-readiness';

/** Liveness has no dependencies (a slow model must not get the pod restarted); readiness checks what serving needs. */
@ApiTags('health')
@Controller('health')
export class HealthController {
  private readonly keys: ApiKeys;

  constructor(
    @Inject(gatewayConfig.KEY) config: GatewayConfigType,
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly model: ModelReadiness,
    private readonly mcp: McpSmokeIndicator,
    private readonly sessions: McpSessionRegistry,
  ) {
    this.keys = new ApiKeys(config.apiKeys, 'GATEWAY_API_KEYS');
  }

  @Get('live')
  @HealthCheck()
  live(): Promise<HealthCheckResult> {
    return this.health.check([]);
  }

  /**
   * Orchestrators probe without a key and read the status code; the report (upstream URLs, circuit state,
   * failure counts) is for key holders only, since /health/* is reachable without one.
   */
  @Get('ready')
  @HealthCheck()
  async ready(@Req() req: GatewayRequest): Promise<HealthCheckResult | { status: string }> {
    const detailed = this.keys.check(req.headers.authorization).ok;
    try {
      const result = await this.health.check([
        () => this.model.check(),
        () => this.mcp.check(),
        () => this.sessionRoom(),
      ]);
      return detailed ? result : { status: result.status };
    } catch (error) {
      if (detailed || !(error instanceof ServiceUnavailableException)) throw error;
      throw new ServiceUnavailableException({ status: 'error' });
    }
  }

  /** A full session table refuses every new client (503): the balancer should send them elsewhere. */
  private sessionRoom(): HealthIndicatorResult {
    const indicator = this.indicators.check('sessions');
    const details = { open: this.sessions.size, max: this.sessions.capacity };
    return this.sessions.hasRoom() ? indicator.up(details) : indicator.down(details);
  }
}

import { Controller, Get, Inject, Req, Res, ServiceUnavailableException } from '@nestjs/common';
import {
  HealthCheckService,
  HealthIndicatorService,
  type HealthCheckResult,
  type HealthIndicatorResult,
} from '@nestjs/terminus';
import { PLANNER_MODEL, type ModelClient } from '@app/inference';
import type { ServerResponse } from 'node:http';
import { describeError } from '../core/agent.errors';
import type { AgentRequest } from '../http/access-guard';
import { TOOL_GATEWAY } from '../core/agent.tokens';
import type { ToolGateway } from '../tools/tool-gateway';
import { RUN_BACKEND, type RunBackend } from '../runs/run-backend';

const PROBE_TIMEOUT_MS = 3_000;

/** Liveness, and readiness = the planner endpoint answers its cheap probe and the gateway lists its tools. */
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    @Inject(PLANNER_MODEL) private readonly planner: ModelClient,
    @Inject(TOOL_GATEWAY) private readonly gateway: ToolGateway,
    @Inject(RUN_BACKEND) private readonly runs: RunBackend,
  ) {}

  @Get('live')
  live(): Promise<HealthCheckResult> {
    return this.health.check([]);
  }

  @Get('ready')
  async ready(@Req() req: AgentRequest, @Res({ passthrough: true }) res: ServerResponse): Promise<unknown> {
    const detailed = req.healthDetail !== false;
    try {
      const result = await this.health.check([
        () => this.checkPlanner(),
        () => this.checkGateway(),
        () => this.checkRunStore(),
      ]);
      return detailed ? result : { status: result.status };
    } catch (error) {
      // Terminus reports "not ready" as an exception; answer with its body rather than the generic error shape.
      if (!(error instanceof ServiceUnavailableException)) throw error;
      res.statusCode = 503;
      return detailed ? error.getResponse() : { status: 'error' };
    }
  }

  private async checkPlanner(): Promise<HealthIndicatorResult> {
    const indicator = this.indicators.check('planner');
    try {
      const health = await this.planner.checkHealth(AbortSignal.timeout(PROBE_TIMEOUT_MS));
      const details = { protocol: health.protocol, state: health.state };
      return health.state === 'down' ? indicator.down(details) : indicator.up(details);
    } catch (error) {
      return indicator.down({ message: describeError(error) });
    }
  }

  /** Runs can be accepted and kept: the store is open and (with Redis) the queue is connected. */
  private checkRunStore(): HealthIndicatorResult {
    const indicator = this.indicators.check('runs');
    const details = { mode: this.runs.mode, role: this.runs.role, store: this.runs.repository.location };
    return this.runs.queue.isAvailable() ? indicator.up(details) : indicator.down(details);
  }

  private async checkGateway(): Promise<HealthIndicatorResult> {
    const indicator = this.indicators.check('gateway');
    try {
      await this.gateway.ping(AbortSignal.timeout(PROBE_TIMEOUT_MS));
      return indicator.up({ target: this.gateway.describe() });
    } catch (error) {
      return indicator.down({ target: this.gateway.describe(), message: describeError(error) });
    }
  }
}

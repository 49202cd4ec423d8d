import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { CODE_MODEL, PLANNER_MODEL } from './inference.tokens';
import type { EndpointHealth, ModelClient, ModelRole } from './inference.types';

const PROBE_TIMEOUT_MS = 3_000;

/**
 * Terminus indicator per model role: passive state (recent failures, circuits) plus a cheap probe
 * (`/health`, `/v1/models`); never a generation. `degraded` keeps the check passing (HTTP 200).
 */
@Injectable()
export class InferenceHealthIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    @Inject(CODE_MODEL) private readonly code: ModelClient,
    @Inject(PLANNER_MODEL) private readonly planner: ModelClient,
  ) {}

  check(role: ModelRole, key = `${role}-model`): Promise<HealthIndicatorResult> {
    return this.checkClient(role === 'code' ? this.code : this.planner, key);
  }

  private async checkClient(client: ModelClient, key: string): Promise<HealthIndicatorResult> {
    const indicator = this.health.check(key);
    let health: EndpointHealth;
    try {
      health = await client.checkHealth(AbortSignal.timeout(PROBE_TIMEOUT_MS));
    } catch (error) {
      return indicator.down({
        protocol: client.protocol,
        message: error instanceof Error ? error.message : String(error),
      });
    }
    const data = {
      protocol: health.protocol,
      replicas: health.replicas,
      ...(health.structuredOutput ? { structuredOutput: health.structuredOutput } : {}),
      ...(health.loading ? { loading: health.loading } : {}),
    };
    if (health.state === 'down') return indicator.down(data);
    if (health.state === 'degraded') return indicator.degraded(data);
    return indicator.up(data);
  }
}

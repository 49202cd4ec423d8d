import type { ServerResponse } from 'node:http';
import { gatewayConfig, type GatewayConfigType } from '@app/config';
import { HostOriginPolicy } from '@app/http-security';
import { Inject, Injectable, type NestMiddleware } from '@nestjs/common';
import { GatewayLogger } from '../logging/gateway-logger';
import { sendHttpError, type GatewayRequest } from './http-errors';

type Next = (error?: unknown) => void;

/**
 * DNS-rebinding protection (the shared HostOriginPolicy): on by default for loopback binds;
 * GATEWAY_ALLOWED_HOSTS sets the list. Health probes are exempt: orchestrators probe by pod IP.
 */
@Injectable()
export class HostOriginMiddleware implements NestMiddleware<GatewayRequest, ServerResponse> {
  private readonly policy: HostOriginPolicy;

  constructor(
    @Inject(gatewayConfig.KEY) config: GatewayConfigType,
    private readonly logger: GatewayLogger,
  ) {
    this.policy = new HostOriginPolicy(config.allowedHosts, 'GATEWAY_ALLOWED_HOSTS');
  }

  use(req: GatewayRequest, res: ServerResponse, next: Next): void {
    if (!this.policy.enabled || req.url?.startsWith('/health/')) return next();
    const problem = this.policy.problemWith(req.headers.host, req.headers.origin);
    if (problem) {
      this.logger.rejected(req, 403, problem);
      return sendHttpError(req, res, 'UNAUTHORIZED', problem, { status: 403 });
    }
    next();
  }
}

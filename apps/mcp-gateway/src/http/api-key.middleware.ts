import { createHash, timingSafeEqual } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { gatewayConfig, type GatewayConfigType } from '@app/config';
import { Inject, Injectable, type NestMiddleware } from '@nestjs/common';
import { GatewayLogger } from '../logging/gateway-logger';
import { sendHttpError, type GatewayRequest } from './http-errors';

type Next = (error?: unknown) => void;

export function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** Compares fixed-length digests against every key, so timing reveals neither a key nor which one matched. */
export function matchesAnyKey(candidate: string, keyDigests: readonly Buffer[]): boolean {
  const candidateDigest = digest(candidate);
  let matched = false;
  for (const keyDigest of keyDigests) matched = timingSafeEqual(candidateDigest, keyDigest) || matched;
  return matched;
}

function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}

/** Optional bearer keys (GATEWAY_API_KEYS) on every route but /health/*, which orchestrators probe unauthenticated. */
@Injectable()
export class ApiKeyMiddleware implements NestMiddleware<GatewayRequest, ServerResponse> {
  private readonly keyDigests: Buffer[];

  constructor(
    @Inject(gatewayConfig.KEY) config: GatewayConfigType,
    private readonly logger: GatewayLogger,
  ) {
    this.keyDigests = config.apiKeys.map(digest);
  }

  use(req: GatewayRequest, res: ServerResponse, next: Next): void {
    if (this.keyDigests.length === 0 || req.url?.startsWith('/health/')) return next();
    const token = bearerToken(req.headers.authorization);
    if (token !== undefined && matchesAnyKey(token, this.keyDigests)) {
      req.principal = digest(token).toString('hex');
      return next();
    }
    const message =
      token === undefined
        ? 'Unauthorized: send "Authorization: Bearer <key>" with one of the keys in GATEWAY_API_KEYS'
        : 'Unauthorized: the bearer key is not valid';
    this.logger.rejected(req, 401, token === undefined ? 'missing bearer key' : 'invalid bearer key');
    sendHttpError(req, res, 'UNAUTHORIZED', message, { headers: { 'www-authenticate': 'Bearer' } });
  }
}

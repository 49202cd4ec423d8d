import type { ServerResponse } from 'node:http';
import { gatewayConfig, type GatewayConfigType } from '@app/config';
import { ApiKeys } from '@app/http-security';
import { Inject, Injectable, type NestMiddleware } from '@nestjs/common';
import { GatewayLogger } from '../logging/gateway-logger';
import { sendHttpError, type GatewayRequest } from './http-errors';

type Next = (error?: unknown) => void;

/**
 * The API description is public: `/docs` (the Swagger UI page and its assets) and `/docs-json`. It holds
 * no data, only what the open-source contracts already say, and a browser cannot send a bearer key when
 * it opens a page; the UI's "Authorize" button then sends the key with every "Try it out" call.
 */
function isPublicDocs(url: string | undefined): boolean {
  const path = url?.split('?')[0] ?? '';
  return path === '/docs' || path.startsWith('/docs/') || path === '/docs-json' || path === '/docs-yaml';
}

/**
 * Optional bearer keys (GATEWAY_API_KEYS) on every route but /health/*, which orchestrators probe
 * unauthenticated, and the API description (see isPublicDocs).
 */
@Injectable()
export class ApiKeyMiddleware implements NestMiddleware<GatewayRequest, ServerResponse> {
  private readonly keys: ApiKeys;

  constructor(
    @Inject(gatewayConfig.KEY) config: GatewayConfigType,
    private readonly logger: GatewayLogger,
  ) {
    this.keys = new ApiKeys(config.apiKeys, 'GATEWAY_API_KEYS');
  }

  use(req: GatewayRequest, res: ServerResponse, next: Next): void {
    if (!this.keys.enabled || req.url?.startsWith('/health/') || isPublicDocs(req.url)) return next();
    const checked = this.keys.check(req.headers.authorization);
    if (checked.ok) {
      req.principal = checked.principal;
      return next();
    }
    this.logger.rejected(req, 401, `${checked.reason} bearer key`);
    sendHttpError(req, res, 'UNAUTHORIZED', checked.message, { headers: { 'www-authenticate': 'Bearer' } });
  }
}

import type { Server as HttpServer, ServerResponse } from 'node:http';
import { gatewayConfig, type GatewayConfigType } from '@app/config';
import { applyServerTimeouts } from '@app/http-security';
import type { INestApplication, INestApplicationContext } from '@nestjs/common';
import { Logger } from 'nestjs-pino';
import { ApiKeyMiddleware } from './http/api-key.middleware';
import { HostOriginMiddleware } from './http/host-origin.middleware';
import type { GatewayRequest } from './http/http-errors';
import { JsonBodyMiddleware } from './http/json-body.middleware';
import { installMcpFastPath, type Step } from './http/mcp-fast-path';
import { McpEraRouter } from './mcp/mcp-era-router';
import { requestIdOf, requestLogger } from './logging/logger.module';
import { setupOpenApi } from './rest/openapi';

type Next = (error?: unknown) => void;

/**
 * Gives every request its correlation id first, so even a rejected one answers with x-request-id. A minted id
 * is also appended to rawHeaders: the MCP transport rebuilds headers from them, and the tool call's log
 * line reads the id from there.
 */
function assignRequestId(req: GatewayRequest, res: ServerResponse, next: Next): void {
  const incoming = req.headers['x-request-id'];
  const id = requestIdOf(req, res);
  if (incoming !== id) {
    req.headers['x-request-id'] = id;
    req.rawHeaders.push('x-request-id', id);
  }
  next();
}

/**
 * Everything an HTTP gateway app needs besides its module; shared by main.ts and the e2e tests.
 * Host/Origin and API-key checks are Express-level middleware, registered before any route (the OpenAPI
 * UI included), so nothing is reachable around them; MCP message POSTs take the same checks on the fast
 * path in front of Express.
 */
export function configureHttpApp(app: INestApplication): INestApplication {
  app.useLogger(app.get(Logger));
  applyServerTimeouts(app.getHttpServer() as HttpServer);
  const express = app.getHttpAdapter().getInstance() as { disable(setting: string): void };
  express.disable('x-powered-by');
  const hostOrigin = app.get(HostOriginMiddleware);
  const apiKeys = app.get(ApiKeyMiddleware);
  const guards: Step[] = [
    assignRequestId,
    (req, res, next) => hostOrigin.use(req, res, next),
    (req, res, next) => apiKeys.use(req, res, next),
  ];
  for (const guard of guards) app.use(guard);
  app.use(requestLogger());
  const jsonBody = app.get(JsonBodyMiddleware);
  const mcpRouter = app.get(McpEraRouter);
  installMcpFastPath(app.getHttpServer() as HttpServer, [
    ...guards,
    (req, res, next) => jsonBody.use(req, res, next),
    (req, res, next) => void mcpRouter.handlePost(req, res).catch(next),
  ]);
  setupOpenApi(app);
  return app;
}

export function gatewaySettings(app: INestApplicationContext): GatewayConfigType {
  return app.get<GatewayConfigType>(gatewayConfig.KEY);
}

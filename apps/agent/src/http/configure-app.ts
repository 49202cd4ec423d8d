import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { applyServerTimeouts } from '@app/http-security';
import type { ErrorBody } from '@app/contracts';
import type { INestApplication } from '@nestjs/common';
import { accessGuard, OPEN_ACCESS, type AgentHttpSecurity } from './access-guard';
import { createValidationPipe } from './validation.pipe';

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

/** The media type a request declares when it is not JSON; none declared is fine (the body is then empty). */
function declaredNonJsonType(req: IncomingMessage): string | undefined {
  const mediaType = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (mediaType === '' || mediaType === 'application/json' || mediaType.endsWith('+json')) return undefined;
  return mediaType.slice(0, 100);
}

/**
 * JSON bodies only: a form or text/plain POST is what a foreign web page can send without a CORS preflight,
 * and it used to start a run (forms) or fail as "task is required" (text) although the task was there.
 */
export function requireJsonBodies(req: IncomingMessage, res: ServerResponse, next: () => void): void {
  const mediaType = BODY_METHODS.has(req.method ?? '') ? declaredNonJsonType(req) : undefined;
  if (mediaType === undefined) return next();
  const message = `Unsupported Media Type: send the body as JSON with "Content-Type: application/json" (got "${mediaType}")`;
  const body: ErrorBody = { error: { code: 'VALIDATION_FAILED', message } };
  res.writeHead(415, { 'content-type': 'application/json; charset=utf-8', connection: 'close' });
  res.end(JSON.stringify(body));
}

/**
 * What every agent HTTP app needs beyond the module: Host/Origin and API-key checks, JSON-only bodies, body
 * validation, server timeouts and graceful shutdown.
 */
export function configureAgentApp(
  app: INestApplication,
  security: AgentHttpSecurity = OPEN_ACCESS,
): INestApplication {
  applyServerTimeouts(app.getHttpServer() as Server);
  const express = app.getHttpAdapter().getInstance() as { disable(setting: string): void };
  express.disable('x-powered-by');
  app.use(accessGuard(security));
  app.use(requireJsonBodies);
  app.useGlobalPipes(createValidationPipe());
  app.enableShutdownHooks();
  return app;
}

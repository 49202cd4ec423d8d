import type { IncomingMessage, ServerResponse } from 'node:http';
import { HTTP_STATUS_BY_CODE, type ErrorCode } from '@app/contracts';
import {
  Catch,
  HttpException,
  NotFoundException,
  type ArgumentsHost,
  type ExceptionFilter,
} from '@nestjs/common';
import { sendHttpError, sendJson } from '../http/http-errors';
import { GatewayError, toGatewayError } from '../tools/gateway.error';

const CODE_BY_STATUS: Readonly<Record<number, ErrorCode>> = {
  400: 'VALIDATION_FAILED',
  401: 'UNAUTHORIZED',
  403: 'UNAUTHORIZED',
  404: 'NOT_FOUND',
  413: 'PAYLOAD_TOO_LARGE',
  429: 'RATE_LIMITED',
};

function fromHttpException(exception: HttpException): GatewayError {
  const status = exception.getStatus();
  const code = CODE_BY_STATUS[status] ?? (status >= 500 ? 'INTERNAL' : 'VALIDATION_FAILED');
  return new GatewayError(code, exception.message);
}

/**
 * Whatever escapes a controller (Nest's own 404 for unknown routes included) is answered in the protocol
 * of its route: `{"error":{"code","message"}}` with HTTP_STATUS_BY_CODE, or a JSON-RPC error on MCP routes.
 */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const req = http.getRequest<IncomingMessage>();
    if (isHealthReport(exception, req)) {
      // Terminus answers 503 with the per-indicator report; orchestrators and operators read that shape.
      return sendJson(http.getResponse<ServerResponse>(), exception.getStatus(), exception.getResponse());
    }
    const error =
      exception instanceof HttpException ? fromHttpException(exception) : toGatewayError(exception);
    const status =
      exception instanceof HttpException ? exception.getStatus() : HTTP_STATUS_BY_CODE[error.code];
    sendHttpError(req, http.getResponse<ServerResponse>(), error.code, error.message, {
      status,
      jsonRpcCode: -32603,
    });
  }
}

/** A Terminus report (not an unknown route that merely starts with /health/, which gets the error body). */
function isHealthReport(exception: unknown, req: IncomingMessage): exception is HttpException {
  return (
    exception instanceof HttpException &&
    !(exception instanceof NotFoundException) &&
    req.url?.startsWith('/health/') === true
  );
}

interface ModelAvailability {
  unavailable?: boolean;
  retryAfterMs?: number;
}

/**
 * REST answers an outcome's error with the same code → status mapping, except that a model which cannot
 * be reached or loaded right now (refused connection, upstream 503, open circuit, failed load/download)
 * is 503 Service Unavailable: the gateway is fine, its model is not (a 500 would blame the gateway).
 */
export function statusOf(error: GatewayError): number {
  return (error.details as ModelAvailability | undefined)?.unavailable
    ? 503
    : HTTP_STATUS_BY_CODE[error.code];
}

/** When the model side announced no wait: a server restarting or still loading is usually back in seconds. */
const DEFAULT_RETRY_AFTER_MS = 5_000;

/**
 * `Retry-After` (whole seconds) where retrying later helps: the wait the model side announced, else a
 * short default; none for a configuration problem (a model file that does not exist stays missing).
 */
export function retryHeaders(error: GatewayError): Record<string, string> | undefined {
  if (error.code === 'UNAVAILABLE') return seconds(RETRY_AFTER_SHUTDOWN_MS);
  const details = error.details as ModelAvailability | undefined;
  if (!details?.unavailable) return details?.retryAfterMs ? seconds(details.retryAfterMs) : undefined;
  const wait = details.retryAfterMs ?? (error.code === 'CONFIG' ? undefined : DEFAULT_RETRY_AFTER_MS);
  return wait === undefined ? undefined : seconds(wait);
}

/** A gateway shutting down refuses new calls: another replica (or this one restarted) takes them soon. */
const RETRY_AFTER_SHUTDOWN_MS = 1_000;

function seconds(ms: number): Record<string, string> {
  return { 'retry-after': String(Math.max(1, Math.ceil(ms / 1000))) };
}

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

/** REST answers an outcome's error with the same code → status mapping. */
export function statusOf(error: GatewayError): number {
  return HTTP_STATUS_BY_CODE[error.code];
}

import type { ServerResponse } from 'node:http';
import { HTTP_STATUS_BY_CODE, type ErrorCode } from '@app/contracts';
import { Catch, HttpException, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { restErrorBody, sendJson } from '../http/http-errors';
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
 * The one place REST failures become responses: `{"error":{"code","message","details?"}}` with the status
 * HTTP_STATUS_BY_CODE gives the code (Nest's own 404 for unknown routes included).
 */
@Catch()
export class RestErrorFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<ServerResponse>();
    const error =
      exception instanceof HttpException ? fromHttpException(exception) : toGatewayError(exception);
    sendJson(
      res,
      HTTP_STATUS_BY_CODE[error.code],
      restErrorBody(res, error.code, error.message, error.details),
    );
  }
}

/** REST answers an outcome's error with the same code → status mapping. */
export function statusOf(error: GatewayError): number {
  return HTTP_STATUS_BY_CODE[error.code];
}

import { ArgumentsHost, Catch, HttpException, Logger, type ExceptionFilter } from '@nestjs/common';
import { HTTP_STATUS_BY_CODE, type ErrorBody, type ErrorCode } from '@app/contracts';
import type { ServerResponse } from 'node:http';
import { AgentError, describeError } from '../core/agent.errors';

const CODE_BY_STATUS: Readonly<Record<number, ErrorCode>> = {
  400: 'VALIDATION_FAILED',
  401: 'UNAUTHORIZED',
  404: 'NOT_FOUND',
  413: 'PAYLOAD_TOO_LARGE',
  429: 'RATE_LIMITED',
};

function fromHttpException(exception: HttpException): { status: number; body: ErrorBody } {
  const status = exception.getStatus();
  const code = CODE_BY_STATUS[status] ?? (status >= 500 ? 'INTERNAL' : 'VALIDATION_FAILED');
  return { status, body: { error: { code, message: exception.message } } };
}

const RETRY_AFTER_S = 5;

/** The one place where agent errors become HTTP: `{"error":{"code","message","details?"}}` with a fitting status. */
@Catch()
export class AgentExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger(AgentExceptionFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<ServerResponse>();
    const { status, body } = this.toBody(exception);
    if (res.headersSent) {
      res.end();
      return;
    }
    res.statusCode = status;
    // a refusal for load says when to come back (runs take seconds to minutes: not too eagerly)
    if (status === 429 || status === 503) res.setHeader('Retry-After', String(RETRY_AFTER_S));
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.end(JSON.stringify(body));
  }

  private toBody(exception: unknown): { status: number; body: ErrorBody } {
    if (exception instanceof AgentError) {
      const error = { code: exception.code, message: exception.message, details: exception.details };
      return { status: HTTP_STATUS_BY_CODE[exception.code], body: { error } };
    }
    if (exception instanceof HttpException) return fromHttpException(exception);
    this.logger.error(`unhandled error: ${describeError(exception)}`);
    return { status: 500, body: { error: { code: 'INTERNAL', message: 'internal error' } } };
  }
}

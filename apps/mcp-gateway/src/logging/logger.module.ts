import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { gatewayConfig, loggingConfig, type GatewayConfigType, type LoggingConfigType } from '@app/config';
import type { DynamicModule } from '@nestjs/common';
import { LoggerModule, PinoLogger, type Params } from 'nestjs-pino';
import pino from 'pino';
import { pinoHttp, type HttpLogger, type Options } from 'pino-http';

export type LogDestination = 'stdout' | 'stderr';

const REQUEST_ID_HEADER = 'x-request-id';
const SAFE_REQUEST_ID = /^[\w.:@-]{1,128}$/;
/** Prompts and code may hold secrets or proprietary source: redacted unless LOG_PAYLOADS=true. */
const PAYLOAD_PATHS = ['args', 'arguments', 'input', 'output', 'prompt', 'messages', 'req.body'];
const SECRET_PATHS = ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-api-key"]'];

/** Honours a caller's x-request-id when it looks like an id (no log injection), otherwise mints one. */
export function requestIdOf(req: IncomingMessage, res: ServerResponse): string {
  const incoming = req.headers[REQUEST_ID_HEADER];
  const id = typeof incoming === 'string' && SAFE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
  res.setHeader(REQUEST_ID_HEADER, id);
  return id;
}

function isQuietRoute(req: IncomingMessage): boolean {
  return req.url?.startsWith('/health') === true || req.url === '/metrics';
}

/** What the per-request logger does: the id, the completion line, and how a request and response print. */
function requestLoggingOptions(): Options {
  return {
    genReqId: requestIdOf,
    // the per-request child logger binds only the request id: serialising the whole request on every call
    // costs time on the hot path, and the completion line still carries method, url and status
    quietReqLogger: true,
    autoLogging: { ignore: isQuietRoute },
    serializers: {
      req: (req: { id: unknown; method: unknown; url: unknown }) => ({
        id: req.id,
        method: req.method,
        url: req.url,
      }),
      res: (res: { statusCode: unknown }) => ({ statusCode: res.statusCode }),
    },
  };
}

export function pinoHttpOptions(logging: LoggingConfigType, logPayloads: boolean): Options {
  return {
    level: logging.level,
    base: { service: 'mcp-gateway' },
    redact: { paths: logPayloads ? SECRET_PATHS : [...SECRET_PATHS, ...PAYLOAD_PATHS], censor: '[redacted]' },
    ...requestLoggingOptions(),
  };
}

/** stdio mode: stdout carries only MCP frames, so every log line goes to fd 2. */
function destinationFor(target: LogDestination, pretty: boolean): pino.DestinationStream {
  const fd = target === 'stderr' ? 2 : 1;
  if (pretty) return pino.transport({ target: 'pino-pretty', options: { destination: fd } });
  return pino.destination({ fd, sync: false });
}

/**
 * MCP message POSTs are the hot path: a per-request access line and child logger cost ~75 µs a call. Their
 * one log line is the tool call's own (`event: tool_call`, carrying the request id).
 */
function isHotPath(req: IncomingMessage): boolean {
  if (req.method !== 'POST') return false;
  const url = req.url ?? '';
  const query = url.indexOf('?');
  const path = query === -1 ? url : url.slice(0, query);
  return path === '/mcp' || path === '/messages';
}

type Next = (error?: unknown) => void;

/**
 * pino-http's plain middleware on the root logger nestjs-pino built (same level, redaction, destination):
 * the request id, `req.log`, and the completion line of every request Express serves but the hot paths.
 * It replaces nestjs-pino's own middleware, whose AsyncLocalStorage `run` would make Node 20 switch on
 * promise hooks for the whole process at the first request it covers (a health probe is enough) — from
 * then on every promise of every tool call pays for them (~30–40 µs a call). Lines logged while serving a
 * request carry its id explicitly instead (`requestId`/`reqId`).
 */
export function requestLogger(): (req: IncomingMessage, res: ServerResponse, next: Next) => void {
  const root = PinoLogger.root as pino.Logger | undefined;
  if (root === undefined) throw new Error('nestjs-pino has not built its root logger yet');
  const http: HttpLogger = pinoHttp({ ...requestLoggingOptions(), logger: root });
  return (req, res, next) => (isHotPath(req) ? next() : http(req, res, next));
}

/** Nest's logger is nestjs-pino's; its request middleware is mounted on no route (see `requestLogger`). */
export function gatewayLoggerModule(target: LogDestination): DynamicModule {
  return LoggerModule.forRootAsync({
    inject: [loggingConfig.KEY, gatewayConfig.KEY],
    useFactory: (logging: LoggingConfigType, gateway: GatewayConfigType): Params => ({
      pinoHttp: [pinoHttpOptions(logging, gateway.logPayloads), destinationFor(target, logging.pretty)],
      forRoutes: [],
    }),
  });
}

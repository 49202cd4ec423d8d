import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { gatewayConfig, loggingConfig, type GatewayConfigType, type LoggingConfigType } from '@app/config';
import { RequestMethod, type DynamicModule } from '@nestjs/common';
import { LoggerModule, type Params } from 'nestjs-pino';
import pino from 'pino';
import type { Options } from 'pino-http';

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

export function pinoHttpOptions(logging: LoggingConfigType, logPayloads: boolean): Options {
  return {
    level: logging.level,
    base: { service: 'mcp-gateway' },
    genReqId: requestIdOf,
    // the per-request child logger binds only the request id: serialising the whole request on every call
    // costs time on the hot path, and the completion line still carries method, url and status
    quietReqLogger: true,
    autoLogging: { ignore: isQuietRoute },
    redact: { paths: logPayloads ? SECRET_PATHS : [...SECRET_PATHS, ...PAYLOAD_PATHS], censor: '[redacted]' },
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

/** stdio mode: stdout carries only MCP frames, so every log line goes to fd 2. */
function destinationFor(target: LogDestination, pretty: boolean): pino.DestinationStream {
  const fd = target === 'stderr' ? 2 : 1;
  if (pretty) return pino.transport({ target: 'pino-pretty', options: { destination: fd } });
  return pino.destination({ fd, sync: false });
}

/**
 * MCP message POSTs are the hot path: a per-request access line and child logger cost ~75 µs a call. Their
 * one log line is the tool call's own (`event: tool_call`, carrying the request id); everything else —
 * sessions, streams, REST, errors — keeps the request logger.
 */
const HOT_PATHS = [
  { path: 'mcp', method: RequestMethod.POST },
  { path: 'messages', method: RequestMethod.POST },
];

export function gatewayLoggerModule(target: LogDestination): DynamicModule {
  return LoggerModule.forRootAsync({
    inject: [loggingConfig.KEY, gatewayConfig.KEY],
    useFactory: (logging: LoggingConfigType, gateway: GatewayConfigType): Params => ({
      pinoHttp: [pinoHttpOptions(logging, gateway.logPayloads), destinationFor(target, logging.pretty)],
      exclude: HOT_PATHS,
    }),
  });
}

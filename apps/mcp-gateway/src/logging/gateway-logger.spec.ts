import { EventEmitter } from 'node:events';
import { PinoLogger } from 'nestjs-pino';
import { InferenceError } from '@app/inference';
import { GatewayError, toGatewayError } from '../tools/gateway.error';
import { GatewayLogger } from './gateway-logger';
import { pinoHttpOptions, requestIdOf, requestLogger } from './logger.module';

function capture(logPayloads: boolean) {
  const lines: Array<{ level: string; fields: Record<string, unknown>; message: string }> = [];
  const record = (level: string) => (fields: Record<string, unknown>, message: string) =>
    lines.push({ level, fields, message });
  const enabled = new Set(['info', 'warn', 'error']);
  const pino = {
    info: record('info'),
    warn: record('warn'),
    error: record('error'),
    logger: { isLevelEnabled: (level: string) => enabled.has(level) },
  } as unknown as PinoLogger;
  return { logger: new GatewayLogger(pino, { logPayloads } as never), lines, enabled };
}

describe('GatewayLogger', () => {
  const args = { code: 'API_KEY = "sk-secret"' };

  it('logs tool calls without their arguments by default (prompts and code may hold secrets)', () => {
    const { logger, lines } = capture(false);
    logger.toolCall({ tool: 'review_code', transport: 'rest' }, { ok: true, value: {} }, 12.3456, args);
    logger.toolCall(
      { tool: 'review_code', transport: 'rest' },
      { ok: false, error: new GatewayError('TIMEOUT', 'slow') },
      1,
      args,
    );
    expect(lines[0]).toEqual({
      level: 'info',
      message: 'tool call succeeded',
      fields: {
        event: 'tool_call',
        tool: 'review_code',
        transport: 'rest',
        outcome: 'ok',
        durationMs: 12.35,
      },
    });
    expect(lines[1]).toMatchObject({ level: 'warn', fields: { outcome: 'TIMEOUT', error: 'slow' } });
    expect(JSON.stringify(lines)).not.toContain('sk-secret');
  });

  it('cuts model output quoted in an error (it echoes user code) unless LOG_PAYLOADS=true; keeps the URL for operators', () => {
    const excerpt = 'def leak(): API_KEY = "sk-secret"';
    const upstream = new InferenceError(
      'INVALID_RESPONSE',
      `code model at http://gpu:8000/v1/chat/completions returned a body that is not JSON: ${excerpt} — is the protocol right?`,
      { endpoint: 'http://gpu:8000/v1/chat/completions', excerpt },
    );
    const error = toGatewayError(upstream);
    expect(error.message).not.toContain('http://gpu:8000');
    for (const logPayloads of [false, true]) {
      const { logger, lines } = capture(logPayloads);
      logger.toolCall({ tool: 'generate_code', transport: 'rest' }, { ok: false, error }, 1, args);
      const logged = String(lines[0]?.fields.error);
      expect(logged).toContain('http://gpu:8000');
      expect(logged.includes('sk-secret')).toBe(logPayloads);
    }
  });

  it('builds nothing when the level is off, and logs rejected requests without payloads', () => {
    const { logger, lines, enabled } = capture(false);
    enabled.delete('info');
    logger.toolCall({ tool: 'generate_code', transport: 'rest' }, { ok: true, value: {} }, 1, args);
    logger.rejected(
      { method: 'POST', url: '/mcp', headers: { 'x-request-id': 'r-9' } },
      401,
      'invalid bearer key',
    );
    expect(lines).toEqual([
      {
        level: 'warn',
        message: 'request rejected',
        fields: {
          event: 'request_rejected',
          method: 'POST',
          url: '/mcp',
          status: 401,
          requestId: 'r-9',
          reason: 'invalid bearer key',
        },
      },
    ]);
  });

  it('includes the arguments only with LOG_PAYLOADS=true', () => {
    const { logger, lines } = capture(true);
    logger.toolCall(
      { tool: 'review_code', transport: 'stdio', requestId: 'r-1' },
      { ok: true, value: {} },
      1,
      args,
    );
    logger.info({ a: 1 }, 'i');
    logger.error({ b: 2 }, 'e');
    expect(lines[0]?.fields).toMatchObject({ args, requestId: 'r-1' });
    expect(lines.map((l) => l.level)).toEqual(['info', 'info', 'error']);
  });
});

describe('pino-http options', () => {
  it('redacts payload fields unless LOG_PAYLOADS, and always the authorization header', () => {
    const quiet = pinoHttpOptions({ level: 'info', pretty: false, logPayloads: false }, false);
    const verbose = pinoHttpOptions({ level: 'info', pretty: false, logPayloads: true }, true);
    expect(quiet.redact).toMatchObject({
      paths: expect.arrayContaining(['args', 'req.headers.authorization']),
    });
    expect(verbose.redact).toMatchObject({ paths: expect.not.arrayContaining(['args']) });
  });

  it('keeps a well-formed x-request-id and replaces anything else', () => {
    const headers: Record<string, string> = {};
    const res = { setHeader: (k: string, v: string) => (headers[k] = v) } as never;
    expect(requestIdOf({ headers: { 'x-request-id': 'abc-123' } } as never, res)).toBe('abc-123');
    expect(headers['x-request-id']).toBe('abc-123');
    const injected = requestIdOf({ headers: { 'x-request-id': 'a\nfake log line' } } as never, res);
    expect(injected).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('requestLogger', () => {
  const lines: Array<Record<string, unknown>> = [];
  const destination = { write: (line: string) => void lines.push(JSON.parse(line)) };
  // builds nestjs-pino's root logger, as the Nest logger module does at start-up
  new PinoLogger({
    pinoHttp: [pinoHttpOptions({ level: 'info', pretty: false, logPayloads: false }, false), destination],
  } as never);
  const middleware = requestLogger();

  function serve(method: string, url: string, requestId: string): { log: unknown; passed: boolean } {
    const req = Object.assign(new EventEmitter(), { method, url, headers: { 'x-request-id': requestId } });
    const res = Object.assign(new EventEmitter(), {
      statusCode: 200,
      headersSent: true,
      writableEnded: true,
      setHeader: () => undefined,
    });
    let passed = false;
    middleware(req as never, res as never, () => (passed = true));
    res.emit('finish');
    return { log: (req as { log?: unknown }).log, passed };
  }

  beforeEach(() => lines.splice(0));

  it('logs a completion line carrying the request id for routes Express serves', () => {
    const { log, passed } = serve('GET', '/v1/tools', 'rest-1');
    expect(passed).toBe(true);
    expect(log).toBeDefined();
    expect(lines).toEqual([
      expect.objectContaining({
        reqId: 'rest-1',
        req: { id: 'rest-1', method: 'GET', url: '/v1/tools' },
        res: { statusCode: 200 },
        msg: 'request completed',
      }),
    ]);
  });

  it('leaves MCP message POSTs alone (their log line is the tool call) and health probes unlogged', () => {
    expect(serve('POST', '/mcp', 'm-1')).toEqual({ log: undefined, passed: true });
    expect(serve('POST', '/messages?sessionId=s', 'm-2')).toEqual({ log: undefined, passed: true });
    expect(serve('GET', '/health/live', 'h-1').passed).toBe(true);
    expect(lines).toEqual([]);
    serve('GET', '/mcp', 'g-1');
    expect(lines).toEqual([expect.objectContaining({ reqId: 'g-1' })]);
  });
});

import type { ServerResponse } from 'node:http';
import { gatewayConfig, type GatewayConfigType } from '@app/config';
import { Inject, Injectable, type NestMiddleware } from '@nestjs/common';
import { GatewayLogger } from '../logging/gateway-logger';
import { JSON_RPC, sendHttpError, type GatewayRequest } from './http-errors';

type Next = (error?: unknown) => void;
type BodyRead = { ok: true; text: string } | { ok: false; reason: 'too-large' | 'aborted' };

/**
 * Reads JSON request bodies up to GATEWAY_BODY_LIMIT_BYTES (large enough for review_code) and answers
 * over-size or malformed bodies itself, as JSON-RPC on MCP routes and as the REST error body elsewhere.
 * Replaces Express' body parser, whose 100 KB default and HTML error pages do not fit an API.
 */
@Injectable()
export class JsonBodyMiddleware implements NestMiddleware<GatewayRequest, ServerResponse> {
  constructor(
    @Inject(gatewayConfig.KEY) private readonly config: GatewayConfigType,
    private readonly logger: GatewayLogger,
  ) {}

  use(req: GatewayRequest, res: ServerResponse, next: Next): void {
    if (req.method !== 'POST' && req.method !== 'PUT' && req.method !== 'PATCH') return next();
    if (Number(req.headers['content-length'] ?? 0) > this.config.bodyLimitBytes)
      return this.tooLarge(req, res);
    // every route, MCP ones included (the legacy /messages answered a plain-text 400 of its own)
    const mediaType = declaredNonJsonType(req);
    if (mediaType !== undefined) return this.unsupportedType(req, res, mediaType);
    readBody(req, this.config.bodyLimitBytes).then(
      (read) => this.accept(req, res, read, next),
      (error: unknown) => next(error),
    );
  }

  private accept(req: GatewayRequest, res: ServerResponse, read: BodyRead, next: Next): void {
    if (!read.ok) return read.reason === 'too-large' ? this.tooLarge(req, res) : undefined;
    if (read.text === '') return next();
    try {
      req.body = JSON.parse(read.text);
    } catch (error) {
      // a blank body is no body (checked only here: trimming every body would copy it)
      if (read.text.trim() === '') return next();
      const reason = error instanceof Error ? error.message : String(error);
      this.logger.rejected(req, 400, `malformed JSON body: ${reason}`);
      return sendHttpError(
        req,
        res,
        'VALIDATION_FAILED',
        `Parse error: the body is not valid JSON (${reason})`,
        {
          jsonRpcCode: JSON_RPC.parseError,
        },
      );
    }
    next();
  }

  private unsupportedType(req: GatewayRequest, res: ServerResponse, mediaType: string): void {
    const message = `Unsupported Media Type: send the body as JSON with "Content-Type: application/json" (got "${mediaType}")`;
    this.logger.rejected(req, 415, message);
    sendHttpError(req, res, 'VALIDATION_FAILED', message, { status: 415 });
  }

  private tooLarge(req: GatewayRequest, res: ServerResponse): void {
    const message = `Payload too large: the body must not exceed ${this.config.bodyLimitBytes} bytes (GATEWAY_BODY_LIMIT_BYTES)`;
    this.logger.rejected(req, 413, message);
    res.setHeader('connection', 'close');
    sendHttpError(req, res, 'PAYLOAD_TOO_LARGE', message);
  }
}

/** The media type a request declares when it is not JSON (`application/json`, `…+json`); none declared is fine. */
function declaredNonJsonType(req: GatewayRequest): string | undefined {
  const header = req.headers['content-type'];
  if (header === undefined || header === '') return undefined;
  const mediaType = (header.split(';')[0] ?? '').trim().toLowerCase();
  return mediaType === 'application/json' || mediaType.endsWith('+json')
    ? undefined
    : mediaType.slice(0, 100);
}

/** A small body comes in one chunk: decode it without copying it first. */
function textOf(chunks: readonly Buffer[]): string {
  const [only] = chunks;
  return chunks.length === 1 && only !== undefined
    ? only.toString('utf8')
    : Buffer.concat(chunks).toString('utf8');
}

/** Buffers the body, stopping (and dropping the rest) once it passes `limit` bytes. */
function readBody(req: GatewayRequest, limit: number): Promise<BodyRead> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        resolve({ ok: false, reason: 'too-large' });
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve({ ok: true, text: textOf(chunks) }));
    req.on('aborted', () => resolve({ ok: false, reason: 'aborted' }));
    req.on('error', reject);
  });
}

import type { ServerResponse } from 'node:http';
import { Injectable } from '@nestjs/common';
import {
  PROTOCOL_VERSION_META_KEY,
  classifyInboundRequest,
  type InboundClassificationOutcome,
} from '@modelcontextprotocol/server';
import type { GatewayRequest } from '../http/http-errors';
import { StreamableHttpService } from './v1/streamable-http.service';
import { MODERN_PROTOCOL_VERSION, type McpEra } from './mcp-protocol';
import { ModernHttpService } from './v2/modern-http.service';

function headerOf(req: GatewayRequest, name: string): string | undefined {
  const value = req.headers[name];
  return typeof value === 'string' ? value : undefined;
}

/**
 * The SDK v2's own era classification (the step `createMcpHandler` and `isLegacyRequest` run), on the body
 * the gateway already parsed: no web Request is built on the 2025 hot path.
 */
export function classifyMcpPost(req: GatewayRequest): InboundClassificationOutcome {
  return classifyInboundRequest({
    httpMethod: req.method ?? 'POST',
    body: req.body,
    protocolVersionHeader: headerOf(req, 'mcp-protocol-version'),
    mcpMethodHeader: headerOf(req, 'mcp-method'),
    mcpNameHeader: headerOf(req, 'mcp-name'),
  });
}

/** `[ \t]` trimmed, as the SDK strips HTTP optional whitespace before comparing versions. */
function withoutOws(value: string): string {
  return value.replace(/^[ \t]+|[ \t]+$/g, '');
}

function hasEnvelopeClaim(message: unknown): boolean {
  const params = (message as { params?: unknown } | null)?.params;
  const meta = (params as { _meta?: unknown } | null | undefined)?._meta;
  return (
    typeof meta === 'object' && meta !== null && !Array.isArray(meta) && PROTOCOL_VERSION_META_KEY in meta
  );
}

/**
 * Could this POST be a 2026-07-28 one? Only an envelope claim in a message's `_meta` or an
 * MCP-Protocol-Version header naming 2026-07-28 or later makes the SDK classify a request as modern (or
 * reject it as a malformed modern one); without either, every outcome of its classification is the 2025
 * path. Checking these two first spares 2025 traffic — every call of a 2025 session — the SDK's schema
 * parses (measured: ≈ 20 µs of server CPU per call).
 */
function mayBeModern(req: GatewayRequest): boolean {
  const header = headerOf(req, 'mcp-protocol-version');
  if (header !== undefined && withoutOws(header) >= MODERN_PROTOCOL_VERSION) return true;
  const messages: unknown[] = Array.isArray(req.body) ? req.body : [req.body];
  return messages.some(hasEnvelopeClaim);
}

/**
 * Which era serves a POST /mcp: requests claiming 2026-07-28 (the `_meta` envelope or a modern
 * MCP-Protocol-Version header) go to the modern v2 handler, which also answers their validation errors;
 * everything else — initialize, session traffic, and bodies that are not JSON-RPC at all — to the 2025
 * sessions (v1), whose answers 2025 clients and the conformance suite expect.
 */
export function eraOfPost(req: GatewayRequest): McpEra {
  return mayBeModern(req) ? eraOfOutcome(classifyMcpPost(req)) : 'legacy';
}

/** The SDK's outcome as a route: its modern-era rejections are the modern handler's to answer. */
export function eraOfOutcome(outcome: InboundClassificationOutcome): McpEra {
  if (outcome.kind === 'modern') return 'modern';
  if (outcome.kind === 'reject') return outcome.rung === 'jsonrpc-shape' ? 'legacy' : 'modern';
  return 'legacy';
}

/** One MCP endpoint, two protocol eras: the router in front of both (GET/DELETE are 2025 session operations). */
@Injectable()
export class McpEraRouter {
  constructor(
    private readonly legacy: StreamableHttpService,
    private readonly modern: ModernHttpService,
  ) {}

  handlePost(req: GatewayRequest, res: ServerResponse): Promise<void> {
    if (eraOfPost(req) === 'legacy') return this.legacy.handlePost(req, res);
    // shutdown waits for these answers like for the 2025 ones
    this.legacy.openPosts.track(res);
    return this.modern.handle(req, res);
  }
}

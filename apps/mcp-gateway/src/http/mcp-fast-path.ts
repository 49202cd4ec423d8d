import type { Server as HttpServer, IncomingMessage, ServerResponse } from 'node:http';
import { sendJsonRpcError, type GatewayRequest } from './http-errors';

type Next = (error?: unknown) => void;
export type Step = (req: GatewayRequest, res: ServerResponse, next: Next) => void;
type Listener = (req: IncomingMessage, res: ServerResponse) => void;

/** Runs the steps in order; a step that answers itself simply does not call `next`. */
export function runSteps(steps: readonly Step[], req: GatewayRequest, res: ServerResponse, done: Next): void {
  let index = 0;
  const next: Next = (error) => {
    const step = steps[index++];
    if (error !== undefined || step === undefined) return done(error);
    try {
      step(req, res, next);
    } catch (thrown) {
      done(thrown);
    }
  };
  next();
}

export function isMcpMessagePost(req: IncomingMessage): boolean {
  if (req.method !== 'POST') return false;
  const url = req.url ?? '';
  return url === '/mcp' || url.startsWith('/mcp?');
}

function answerFailure(res: ServerResponse, error: unknown): void {
  const reason = error instanceof Error ? error.message : String(error);
  sendJsonRpcError(res, 500, -32603, `Internal error: ${reason}`);
}

/**
 * MCP message POSTs — the hot path, one per tool call — skip Express and Nest routing (measured ~30% of
 * the gateway's per-call CPU) and run the same steps the Express stack applies to every other route:
 * request id, Host/Origin, API key, body limit + JSON, then the Streamable HTTP service. Everything else
 * (GET/DELETE /mcp, SSE, REST, docs, health, metrics) still goes through Express.
 */
export function installMcpFastPath(server: HttpServer, steps: readonly Step[]): void {
  const [express] = server.listeners('request') as Listener[];
  if (!express)
    throw new Error('the HTTP server has no request listener to put the MCP fast path in front of');
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (!isMcpMessagePost(req)) return express(req, res);
    runSteps(steps, req, res, (error) => error !== undefined && answerFailure(res, error));
  });
}

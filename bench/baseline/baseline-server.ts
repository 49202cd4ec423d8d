import { randomUUID } from 'node:crypto';
import {
  createServer,
  type IncomingMessage,
  type Server as HttpServer,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { TOOL_CONTRACTS, TOOL_NAMES } from '@app/contracts';
import type { ModelClient } from '@app/inference';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import {
  CallToolRequestSchema,
  isInitializeRequest,
  ListToolsRequestSchema,
  type ProgressToken,
  type ServerNotification,
} from '@modelcontextprotocol/sdk/types.js';
import { baselineCallResult, runBaselineTool } from './baseline-tools';

/**
 * The benchmark's baseline: a bare `@modelcontextprotocol/sdk` server on plain `node:http`, stateful
 * Streamable HTTP sessions, the three tools through the same inference client. Whatever the gateway costs
 * beyond this is Nest plus the gateway's own layers.
 */
export interface BaselineServer {
  readonly url: string;
  readonly openSessions: () => number;
  close(): Promise<void>;
}

/** Same throttle as the gateway: a progress notification at most every 250 ms, the first one at once. */
const PROGRESS_INTERVAL_MS = 250;

const TOOLS = TOOL_NAMES.map((name) => ({
  name,
  title: TOOL_CONTRACTS[name].title,
  description: TOOL_CONTRACTS[name].description,
  inputSchema: TOOL_CONTRACTS[name].inputJsonSchema as { type: 'object' },
  outputSchema: TOOL_CONTRACTS[name].outputJsonSchema as { type: 'object' },
  annotations: TOOL_CONTRACTS[name].annotations,
}));

type Notify = (notification: ServerNotification) => Promise<void>;

function progressSender(token: ProgressToken | undefined, notify: Notify) {
  if (token === undefined) return undefined;
  let chunks = 0;
  let lastSentAt = Number.NEGATIVE_INFINITY;
  return () => {
    chunks += 1;
    const now = Date.now();
    if (now - lastSentAt < PROGRESS_INTERVAL_MS) return;
    lastSentAt = now;
    const params = { progressToken: token, progress: chunks, message: `generating: ${chunks} tokens so far` };
    notify({ method: 'notifications/progress', params }).catch(() => undefined);
  };
}

function createMcpServer(model: ModelClient): Server {
  const server = new Server({ name: 'bench-baseline', version: '0.0.0' }, { capabilities: { tools: {} } });
  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: TOOLS }));
  server.setRequestHandler(CallToolRequestSchema, (request, extra) => {
    const onToken = progressSender(request.params._meta?.progressToken, extra.sendNotification);
    const { name, arguments: args } = request.params;
    return baselineCallResult(() => runBaselineTool(model, name, args, { signal: extra.signal, onToken }));
  });
  return server;
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const parts: Buffer[] = [];
  for await (const chunk of req) parts.push(chunk as Buffer);
  const text = Buffer.concat(parts).toString('utf8');
  return text === '' ? undefined : (JSON.parse(text) as unknown);
}

function reject(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message }, id: null }));
}

class SessionRouter {
  private readonly sessions = new Map<string, StreamableHTTPServerTransport>();

  constructor(private readonly model: ModelClient) {}

  get size(): number {
    return this.sessions.size;
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!req.url?.startsWith('/mcp')) return reject(res, 404, 'Not found');
    const body = req.method === 'POST' ? await readJson(req) : undefined;
    const id = req.headers['mcp-session-id'];
    const existing = typeof id === 'string' ? this.sessions.get(id) : undefined;
    if (existing) return existing.handleRequest(req, res, body);
    if (typeof id === 'string') return reject(res, 404, 'Session not found');
    if (req.method !== 'POST' || !isInitializeRequest(body))
      return reject(res, 400, 'Mcp-Session-Id required');
    return this.initialize(req, res, body);
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.sessions.values()].map((transport) => transport.close()));
  }

  private async initialize(req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void> {
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: randomUUID,
      onsessioninitialized: (sessionId) => void this.sessions.set(sessionId, transport),
      onsessionclosed: (sessionId) => void this.sessions.delete(sessionId),
    });
    transport.onclose = () => transport.sessionId !== undefined && this.sessions.delete(transport.sessionId);
    await createMcpServer(this.model).connect(transport);
    await transport.handleRequest(req, res, body);
  }
}

export async function startBaselineServer(model: ModelClient, port = 0): Promise<BaselineServer> {
  const router = new SessionRouter(model);
  const http: HttpServer = createServer((req, res) => {
    router.handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) reject(res, 500, String(error));
      else res.end();
    });
  });
  await new Promise<void>((resolve) => http.listen(port, '127.0.0.1', resolve));
  const { port: bound } = http.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${bound}/mcp`,
    openSessions: () => router.size,
    close: async () => {
      await router.closeAll();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

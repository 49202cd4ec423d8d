import { Pool } from 'undici';
import { BENCH_INPUT, BENCH_TOOL } from './mcp-sessions';
import { answerOf, type RpcAnswer } from './rpc-answer';

/**
 * A minimal Streamable HTTP client: JSON-RPC over undici POSTs on one keep-alive pool, the session id in a
 * header, the answer read from the SSE body (or JSON). What a load generator such as k6 or vegeta would do —
 * it costs a fraction of the SDK client's CPU, so its numbers show the server's share of the latency.
 */
const PROTOCOL_VERSION = '2025-11-25';

export class LeanSession {
  private nextId = 1;
  private sessionId = '';

  private constructor(
    private readonly pool: Pool,
    private readonly path: string,
  ) {}

  static async open(url: string, pool: Pool): Promise<LeanSession> {
    const session = new LeanSession(pool, new URL(url).pathname);
    await session.initialize();
    return session;
  }

  async call(): Promise<void> {
    const answer = await this.rpc('tools/call', { name: BENCH_TOOL, arguments: BENCH_INPUT });
    if (answer.error || answer.result?.isError)
      throw new Error(`lean call failed: ${JSON.stringify(answer)}`);
  }

  async terminate(): Promise<void> {
    const response = await this.pool.request({ path: this.path, method: 'DELETE', headers: this.headers() });
    await response.body.dump();
  }

  private async initialize(): Promise<void> {
    const params = {
      protocolVersion: PROTOCOL_VERSION,
      capabilities: {},
      clientInfo: { name: 'bench-lean', version: '0' },
    };
    await this.rpc('initialize', params);
    await this.post({ jsonrpc: '2.0', method: 'notifications/initialized' });
  }

  private async rpc(method: string, params: unknown): Promise<RpcAnswer> {
    const id = this.nextId++;
    const body = await this.post({ jsonrpc: '2.0', id, method, params });
    const answer = answerOf(body, id);
    if (!answer) throw new Error(`no answer to ${method}: ${body.slice(0, 200)}`);
    return answer;
  }

  private async post(message: unknown): Promise<string> {
    const response = await this.pool.request({
      path: this.path,
      method: 'POST',
      headers: {
        ...this.headers(),
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify(message),
    });
    const session = response.headers['mcp-session-id'];
    if (typeof session === 'string') this.sessionId = session;
    const text = await response.body.text();
    if (response.statusCode >= 400) throw new Error(`HTTP ${response.statusCode}: ${text.slice(0, 200)}`);
    return text;
  }

  private headers(): Record<string, string> {
    const headers: Record<string, string> = { 'mcp-protocol-version': PROTOCOL_VERSION };
    if (this.sessionId !== '') headers['mcp-session-id'] = this.sessionId;
    return headers;
  }
}

/** Lean sessions over one undici pool per server. */
export class LeanPool {
  private constructor(
    private readonly pool: Pool,
    private readonly sessions: readonly LeanSession[],
  ) {}

  static async open(url: string, size: number): Promise<LeanPool> {
    // no connection cap: a 256-call burst must reach the server at once, or the bench measures its own pool
    const pool = new Pool(new URL(url).origin, { connections: null, keepAliveTimeout: 30_000 });
    const sessions: LeanSession[] = [];
    for (let i = 0; i < size; i += 1) sessions.push(await LeanSession.open(url, pool));
    return new LeanPool(pool, sessions);
  }

  at(index: number): LeanSession {
    return this.sessions[index % this.sessions.length]!;
  }

  async close(): Promise<void> {
    await Promise.all(this.sessions.map((session) => session.terminate().catch(() => undefined)));
    await this.pool.close();
  }
}

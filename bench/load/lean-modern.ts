import { Pool } from 'undici';
import { BENCH_INPUT, BENCH_TOOL } from './mcp-sessions';
import { answerOf } from './rpc-answer';

/**
 * The lean client for MCP 2026-07-28: each call is one self-contained POST (the `_meta` envelope in the
 * body, `MCP-Protocol-Version`/`Mcp-Method`/`Mcp-Name` headers), no initialize, no session. Same undici
 * pool and answer parsing as the 2025 lean client, so the two eras are measured with equal client cost.
 */
const PROTOCOL_VERSION = '2026-07-28';
const ENVELOPE = {
  'io.modelcontextprotocol/protocolVersion': PROTOCOL_VERSION,
  'io.modelcontextprotocol/clientCapabilities': {},
  'io.modelcontextprotocol/clientInfo': { name: 'bench-lean-2026', version: '0' },
};

export class LeanModernClient {
  private nextId = 1;

  private constructor(
    private readonly pool: Pool,
    private readonly path: string,
  ) {}

  /** Nothing to open: a 2026 client can call at once. The pool is shared by every caller of this server. */
  static open(url: string): LeanModernClient {
    // no connection cap: a burst must reach the server at once, or the bench measures its own pool
    const pool = new Pool(new URL(url).origin, { connections: null, keepAliveTimeout: 30_000 });
    return new LeanModernClient(pool, new URL(url).pathname);
  }

  async call(): Promise<void> {
    const id = this.nextId++;
    const params = { name: BENCH_TOOL, arguments: BENCH_INPUT, _meta: ENVELOPE };
    const response = await this.pool.request({
      path: this.path,
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-protocol-version': PROTOCOL_VERSION,
        'mcp-method': 'tools/call',
        'mcp-name': BENCH_TOOL,
      },
      body: JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params }),
    });
    const text = await response.body.text();
    if (response.statusCode >= 400) throw new Error(`HTTP ${response.statusCode}: ${text.slice(0, 200)}`);
    const answer = answerOf(text, id);
    if (!answer || answer.error || answer.result?.isError)
      throw new Error(`2026 call failed: ${text.slice(0, 200)}`);
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}

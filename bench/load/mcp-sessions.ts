import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';

/** The tool call every timed measure makes: small input, a fenced-code answer from the emulator. */
export const BENCH_TOOL = 'generate_code';
export const BENCH_INPUT = {
  task: 'Write a function add(a, b) that returns the sum of a and b.',
  language: 'python',
};

/** One MCP session: an SDK `Client` over Streamable HTTP (stateful: initialize once, reuse the session id). */
export class McpSession {
  private constructor(
    private readonly client: Client,
    private readonly transport: StreamableHTTPClientTransport,
  ) {}

  static async open(url: string): Promise<McpSession> {
    const client = new Client({ name: 'bench', version: '0.0.0' }, { capabilities: {} });
    const transport = new StreamableHTTPClientTransport(new URL(url));
    await client.connect(transport);
    return new McpSession(client, transport);
  }

  /** One `tools/call`; throws when the tool reports an error, so a broken setup cannot pass as fast. */
  async call(
    onProgress?: () => void,
    name = BENCH_TOOL,
    args: Record<string, unknown> = BENCH_INPUT,
  ): Promise<CallToolResult> {
    const options = onProgress === undefined ? undefined : { onprogress: onProgress, timeout: 120_000 };
    const result = (await this.client.callTool(
      { name, arguments: args },
      undefined,
      options,
    )) as CallToolResult;
    if (result.isError) throw new Error(`${name} failed: ${JSON.stringify(result.content)}`);
    return result;
  }

  async listToolNames(): Promise<string[]> {
    return (await this.client.listTools()).tools.map((tool) => tool.name);
  }

  /** Ends the session on the server (HTTP DELETE), then drops the connection. */
  async terminate(): Promise<void> {
    await this.transport.terminateSession();
    await this.client.close();
  }

  /** Drops the connection without telling the server: the session stays until the idle TTL evicts it. */
  async abandon(): Promise<void> {
    await this.client.close();
  }
}

/** Sessions for concurrent load: call i uses session i mod size. */
export class SessionPool {
  private constructor(readonly sessions: readonly McpSession[]) {}

  static async open(url: string, size: number): Promise<SessionPool> {
    const sessions: McpSession[] = [];
    // opened a few at a time: 64 simultaneous initializes would measure connection setup, not steady state
    for (let i = 0; i < size; i += 8) {
      const batch = Math.min(8, size - i);
      sessions.push(...(await Promise.all(Array.from({ length: batch }, () => McpSession.open(url)))));
    }
    return new SessionPool(sessions);
  }

  get size(): number {
    return this.sessions.length;
  }

  at(index: number): McpSession {
    return this.sessions[index % this.sessions.length]!;
  }

  async close(): Promise<void> {
    await Promise.all(this.sessions.map((session) => session.terminate().catch(() => undefined)));
  }
}

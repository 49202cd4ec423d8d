import type { ToolDefinition } from '@app/contracts';
import { Client, StreamableHTTPClientTransport, type Transport } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { describeError } from '../core/agent.errors';
import type { ToolCallOptions, ToolGateway, ToolObservation, ToolSession } from './tool-gateway';

/** Where the gateway is: its Streamable HTTP endpoint, or a command that speaks MCP over stdio. */
export type GatewayTarget =
  | { kind: 'http'; url: string; headers?: Record<string, string> }
  | { kind: 'stdio'; command: string; args: string[]; env?: Record<string, string>; cwd?: string };

const CLIENT_INFO = { name: 'code-model-agent', version: '0.1.0' };

/**
 * MCP 2026-07-28 first (`server/discover`, then stateless requests), the 2025 `initialize` handshake as the
 * fallback for servers that do not speak it. On stdio the SDK probes on a short-lived sibling process, so
 * a 2025-only server that exits on an unknown first request costs one extra start, not the connection.
 */
function newClient(): Client {
  return new Client(CLIENT_INFO, { versionNegotiation: { mode: 'auto' } });
}

interface ContentBlock {
  type: string;
  text?: string;
}

interface CallResult {
  isError?: boolean;
  structuredContent?: unknown;
  content?: ContentBlock[];
}

function textOf(result: CallResult): string {
  return (result.content ?? [])
    .filter((block) => block.type === 'text' && typeof block.text === 'string')
    .map((block) => block.text)
    .join('\n');
}

function toObservation(result: CallResult): ToolObservation {
  const text = textOf(result);
  if (result.isError) return { ok: false, error: text || 'the tool reported an error without a message' };
  return { ok: true, structured: result.structuredContent, text };
}

/**
 * Ends a 2025 gateway-side session explicitly (HTTP `DELETE /mcp`): a plain close would leave it to expire
 * after the idle TTL, and runs plus readiness probes would pile sessions up against the gateway's limit.
 * A 2026-07-28 connection has no session to end.
 */
async function closeClient(client: Client, transport: Transport): Promise<void> {
  if (transport instanceof StreamableHTTPClientTransport && client.getProtocolEra() === 'legacy')
    await transport.terminateSession().catch(() => undefined);
  await client.close().catch(() => undefined);
}

/** One MCP client connection per run (on a 2025 server: one session). */
class McpToolSession implements ToolSession {
  constructor(
    private readonly client: Client,
    private readonly transport: Transport,
    readonly tools: readonly ToolDefinition[],
  ) {}

  async call(
    name: string,
    args: Record<string, unknown>,
    options: ToolCallOptions,
  ): Promise<ToolObservation> {
    try {
      // An abort closes the call's stream (2026) or sends `notifications/cancelled` (2025): either way the
      // gateway stops its model call too.
      const result: CallResult = await this.client.callTool(
        { name, arguments: args },
        { signal: options.signal, timeout: Math.max(1, options.timeoutMs) },
      );
      return toObservation(result);
    } catch (error) {
      if (options.signal.aborted) throw error;
      return { ok: false, error: describeError(error) };
    }
  }

  async close(): Promise<void> {
    await closeClient(this.client, this.transport);
  }
}

export class McpToolGateway implements ToolGateway {
  constructor(private readonly target: GatewayTarget) {}

  async connect(signal?: AbortSignal): Promise<ToolSession> {
    const client = newClient();
    const transport = this.transport();
    await client.connect(transport, { signal });
    try {
      const listed = await client.listTools(undefined, { signal });
      const tools = listed.tools.map((tool) => ({
        name: tool.name,
        description: tool.description ?? tool.title ?? tool.name,
        parameters: tool.inputSchema,
      }));
      return new McpToolSession(client, transport, tools);
    } catch (error) {
      await closeClient(client, transport);
      throw error;
    }
  }

  async ping(signal?: AbortSignal): Promise<void> {
    const session = await this.connect(signal);
    await session.close();
  }

  describe(): string {
    return this.target.kind === 'http'
      ? this.target.url
      : `stdio:${this.target.command} ${this.target.args.join(' ')}`;
  }

  private transport(): Transport {
    if (this.target.kind === 'stdio') {
      const { command, args, env, cwd } = this.target;
      return new StdioClientTransport({ command, args, env, cwd, stderr: 'ignore' });
    }
    const requestInit = this.target.headers ? { headers: this.target.headers } : undefined;
    return new StreamableHTTPClientTransport(new URL(this.target.url), { requestInit });
  }
}

import type { ToolDefinition } from '@app/contracts';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { describeError } from '../core/agent.errors';
import type { ToolCallOptions, ToolGateway, ToolObservation, ToolSession } from './tool-gateway';

/** Where the gateway is: its Streamable HTTP endpoint, or a command that speaks MCP over stdio. */
export type GatewayTarget =
  | { kind: 'http'; url: string; headers?: Record<string, string> }
  | { kind: 'stdio'; command: string; args: string[]; env?: Record<string, string>; cwd?: string };

const CLIENT_INFO = { name: 'code-model-agent', version: '0.1.0' };

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
 * Ends the gateway-side session explicitly (HTTP `DELETE /mcp`): a plain close would leave it to expire
 * after the idle TTL, and runs plus readiness probes would pile sessions up against the gateway's limit.
 */
async function closeClient(client: Client, transport: Transport): Promise<void> {
  if (transport instanceof StreamableHTTPClientTransport)
    await transport.terminateSession().catch(() => undefined);
  await client.close().catch(() => undefined);
}

/** One MCP client connection (one session on the gateway) per run. */
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
      // The SDK turns an abort into `notifications/cancelled`, so the gateway stops its model call too.
      const result = (await this.client.callTool({ name, arguments: args }, undefined, {
        signal: options.signal,
        timeout: Math.max(1, options.timeoutMs),
      })) as CallResult;
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
    const client = new Client(CLIENT_INFO);
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

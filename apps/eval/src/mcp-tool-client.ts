import type { ToolCallOutcome, ToolClient } from '@app/eval';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

/** Where the gateway is: a running one over Streamable HTTP, or the built one started over stdio. */
export type GatewayTarget =
  | { kind: 'http'; url: string; apiKey?: string }
  | { kind: 'stdio'; command: string; args: string[]; env: Record<string, string>; cwd?: string };

const CLIENT_INFO = { name: 'code-model-eval', version: '0.1.0' };
/** A tool call may queue behind others on one model: the gateway's own model deadline ends it first. */
const CALL_TIMEOUT_MS = 30 * 60_000;
const STDERR_TAIL_CHARS = 2_000;

interface CallResult {
  isError?: boolean;
  structuredContent?: unknown;
  content?: Array<{ type: string; text?: string }>;
}

function textOf(result: CallResult): string {
  return (result.content ?? [])
    .filter((block) => block.type === 'text' && typeof block.text === 'string')
    .map((block) => block.text)
    .join('\n');
}

/** The one MCP implementation of the harness's ToolClient (SDK v1 client, one session for the run). */
export class McpToolClient implements ToolClient {
  private stderrTail = '';

  private constructor(
    private readonly client: Client,
    private readonly transport: StdioClientTransport | StreamableHTTPClientTransport,
    private readonly where: string,
  ) {}

  static async connect(target: GatewayTarget, signal?: AbortSignal): Promise<McpToolClient> {
    const transport = McpToolClient.transportFor(target);
    const where = target.kind === 'http' ? target.url : 'the built gateway over stdio';
    const client = new McpToolClient(new Client(CLIENT_INFO), transport, where);
    client.keepStderrTail();
    try {
      await client.client.connect(transport, { signal });
    } catch (error) {
      const tail = client.stderrTail.trim();
      throw new Error(`cannot reach ${where}: ${(error as Error).message}${tail ? `\n${tail}` : ''}`);
    }
    return client;
  }

  private static transportFor(target: GatewayTarget): StdioClientTransport | StreamableHTTPClientTransport {
    if (target.kind === 'stdio') {
      const { command, args, env, cwd } = target;
      return new StdioClientTransport({ command, args, env, cwd, stderr: 'pipe' });
    }
    const headers = target.apiKey ? { authorization: `Bearer ${target.apiKey}` } : undefined;
    return new StreamableHTTPClientTransport(new URL(target.url), { requestInit: { headers } });
  }

  /** The spawned gateway's log goes nowhere, but its last lines explain a failed start. */
  private keepStderrTail(): void {
    if (!(this.transport instanceof StdioClientTransport)) return;
    this.transport.stderr?.on('data', (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString('utf8')).slice(-STDERR_TAIL_CHARS);
    });
  }

  async callTool(name: string, args: Record<string, unknown>, signal: AbortSignal): Promise<ToolCallOutcome> {
    // SDK v1 never removes the abort listener it adds per request: give it a per-call signal, so the
    // run's signal does not collect one listener (and one finished request) per problem.
    const call = new AbortController();
    const forward = () => call.abort(signal.reason);
    signal.addEventListener('abort', forward, { once: true });
    try {
      const result = (await this.client.callTool({ name, arguments: args }, undefined, {
        signal: call.signal,
        timeout: CALL_TIMEOUT_MS,
      })) as CallResult;
      const text = textOf(result);
      if (result.isError) return { ok: false, error: text || 'the tool reported an error without a message' };
      return { ok: true, structured: result.structuredContent, text };
    } catch (error) {
      if (signal.aborted) throw error;
      return { ok: false, error: `${name} call failed: ${(error as Error).message}` };
    } finally {
      signal.removeEventListener('abort', forward);
    }
  }

  async close(): Promise<void> {
    if (this.transport instanceof StreamableHTTPClientTransport)
      await this.transport.terminateSession().catch(() => undefined);
    await this.client.close().catch(() => undefined);
  }

  describe(): string {
    return this.where;
  }
}

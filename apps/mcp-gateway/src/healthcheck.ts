/**
 * Container HEALTHCHECK: connects to this instance's /mcp with the SDK client, lists the tools and exits 0
 * only when the three tools are there (1 otherwise), within a bounded time. Stdout stays quiet on success.
 */
import { loadConfig } from '@app/config';
import { TOOL_NAMES } from '@app/contracts';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

const TIMEOUT_MS = 5_000;

async function listToolNames(url: URL, apiKey: string | undefined): Promise<string[]> {
  const headers: Record<string, string> = apiKey ? { authorization: `Bearer ${apiKey}` } : {};
  const client = new Client({ name: 'gateway-healthcheck', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(url, { requestInit: { headers } }));
  try {
    return (await client.listTools({}, { timeout: TIMEOUT_MS })).tools.map((tool) => tool.name);
  } finally {
    await client.close();
  }
}

function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

export async function healthcheck(): Promise<number> {
  const { gateway } = loadConfig();
  const url = new URL(`http://127.0.0.1:${gateway.port}/mcp`);
  try {
    const tools = await withDeadline(listToolNames(url, gateway.apiKeys[0]), TIMEOUT_MS);
    const missing = TOOL_NAMES.filter((name) => !tools.includes(name));
    if (missing.length === 0) return 0;
    process.stderr.write(`unhealthy: ${url.href} lacks ${missing.join(', ')}\n`);
  } catch (error) {
    process.stderr.write(
      `unhealthy: ${url.href}: ${error instanceof Error ? error.message : String(error)}\n`,
    );
  }
  return 1;
}

if (require.main === module) void healthcheck().then((code) => process.exit(code));

import { MODEL_TOOL_NAMES } from '@app/contracts';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';

export const HEALTHCHECK_TIMEOUT_MS = 5_000;

/**
 * MCP 2026-07-28 (SDK v2 client pinned): one stateless tools/list, so a probe every few seconds leaves no
 * session behind on the gateway (a 2025 probe opened one each time, kept until the idle TTL).
 */
async function listToolNames(url: URL, apiKey: string | undefined, timeoutMs: number): Promise<string[]> {
  const headers: Record<string, string> = apiKey ? { authorization: `Bearer ${apiKey}` } : {};
  const client = new Client(
    { name: 'gateway-healthcheck', version: '1.0.0' },
    { versionNegotiation: { mode: { pin: '2026-07-28' } } },
  );
  await client.connect(new StreamableHTTPClientTransport(url, { requestInit: { headers } }));
  try {
    return (await client.listTools({}, { timeout: timeoutMs })).tools.map((tool) => tool.name);
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

/** undefined when healthy, otherwise the reason: the three tools must be listed over real MCP in time. */
export async function probeGateway(
  port: number,
  apiKey: string | undefined,
  timeoutMs = HEALTHCHECK_TIMEOUT_MS,
): Promise<string | undefined> {
  const url = new URL(`http://127.0.0.1:${port}/mcp`);
  try {
    const tools = await withDeadline(listToolNames(url, apiKey, timeoutMs), timeoutMs);
    const missing = MODEL_TOOL_NAMES.filter((name) => !tools.includes(name));
    return missing.length === 0 ? undefined : `${url.href} lacks ${missing.join(', ')}`;
  } catch (error) {
    return `${url.href}: ${error instanceof Error ? error.message : String(error)}`;
  }
}

import { Client, SSEClientTransport, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { BUILT_GATEWAY, REPO_ROOT } from './built-gateway';

export const MODERN = '2026-07-28';

/** How the v2 client settles the era: pinned to 2026-07-28 (no fallback), auto, or the plain 2025 handshake. */
export type Negotiation = 'modern' | 'auto' | 'legacy';

export function v2Client(negotiation: Negotiation, name = 'v2-e2e'): Client {
  const mode = negotiation === 'modern' ? { pin: MODERN } : negotiation;
  return new Client({ name, version: '1.0.0' }, { versionNegotiation: { mode } });
}

export async function connectV2Http(
  url: string,
  negotiation: Negotiation,
  fetchImpl?: typeof fetch,
): Promise<Client> {
  const client = v2Client(negotiation);
  await client.connect(
    new StreamableHTTPClientTransport(new URL(url), fetchImpl ? { fetch: fetchImpl } : {}),
  );
  return client;
}

export async function connectV2Sse(url: string): Promise<Client> {
  const client = v2Client('legacy', 'v2-e2e-sse');
  await client.connect(new SSEClientTransport(new URL(url)));
  return client;
}

/** The built gateway as a stdio child process, talking to the model-server emulator. */
export function gatewayStdioTransport(emulatorUrl: string, stderr: string[]): StdioClientTransport {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [BUILT_GATEWAY, '--stdio'],
    cwd: REPO_ROOT,
    stderr: 'pipe',
    env: {
      PATH: process.env.PATH ?? '',
      STARCODER_ENDPOINT: `${emulatorUrl}/v1/chat/completions`,
      STARCODER_MODEL: 'starcoder2-7b',
      MODEL_MAX_RETRIES: '0',
      LOG_LEVEL: 'info',
    },
  });
  transport.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
  return transport;
}

import type { ChildProcess } from 'node:child_process';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { useEmulator } from './support/gateway-harness';
import { startGatewayProcess } from './support/gateway-process';
import { GENERATE_REPLY } from './support/model-replies';

function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/** SIGTERM: stop accepting, let running calls finish within the grace period, close sessions, exit 0. */
describe('graceful shutdown of the built gateway (HTTP)', () => {
  const fixture = useEmulator();

  it('finishes an in-flight call, then exits 0', async () => {
    const { emulator } = fixture;
    const gateway = await startGatewayProcess({
      STARCODER_ENDPOINT: `${emulator.url}/v1/chat/completions`,
      STARCODER_MODEL: 'starcoder2-7b',
    });
    const exited = exitOf(gateway.child);
    const client = new Client({ name: 'shutdown-e2e', version: '1.0.0' });
    try {
      await client.connect(new StreamableHTTPClientTransport(new URL(`${gateway.baseUrl}/mcp`)));
      emulator.script({ text: GENERATE_REPLY, delayMs: 700 });
      const call = client.callTool({ name: 'generate_code', arguments: { task: 'merge intervals' } });
      await emulator.waitForGenerations(1);
      gateway.child.kill('SIGTERM');
      const result = (await call) as CallToolResult;
      expect(result.isError).toBeFalsy();
      expect(result.structuredContent).toMatchObject({ language: 'python' });
      expect(await exited).toBe(0);
    } finally {
      await client.close().catch(() => undefined);
      await gateway.stop();
    }
  }, 30_000);
});

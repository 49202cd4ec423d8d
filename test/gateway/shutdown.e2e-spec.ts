import { spawn, type ChildProcess } from 'node:child_process';
import { freePort, startModelServerEmulator, type ModelServerEmulator } from '@app/testing';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { BUILT_GATEWAY, REPO_ROOT } from './support/built-gateway';
import { waitForHealth } from './support/gateway-process';
import { GENERATE_REPLY } from './support/model-replies';

function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/** SIGTERM: stop accepting, let running calls finish within the grace period, close sessions, exit 0. */
describe('graceful shutdown of the built gateway (HTTP)', () => {
  let emulator: ModelServerEmulator;

  beforeAll(async () => {
    emulator = await startModelServerEmulator();
  }, 60_000);

  afterAll(() => emulator.close());

  it('finishes an in-flight call, then exits 0', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, [BUILT_GATEWAY], {
      cwd: REPO_ROOT,
      stdio: 'ignore',
      env: {
        PATH: process.env.PATH ?? '',
        GATEWAY_PORT: String(port),
        STARCODER_ENDPOINT: `${emulator.url}/v1/chat/completions`,
        STARCODER_MODEL: 'starcoder2-7b',
        LOG_LEVEL: 'warn',
      },
    });
    const exited = exitOf(child);
    const baseUrl = `http://127.0.0.1:${port}`;
    await waitForHealth(baseUrl);
    const client = new Client({ name: 'shutdown-e2e', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${baseUrl}/mcp`)));
    emulator.script({ text: GENERATE_REPLY, delayMs: 700 });
    const call = client.callTool({ name: 'generate_code', arguments: { task: 'merge intervals' } });
    await emulator.waitForGenerations(1);
    child.kill('SIGTERM');
    const result = (await call) as CallToolResult;
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toMatchObject({ language: 'python' });
    expect(await exited).toBe(0);
    await client.close().catch(() => undefined);
  }, 30_000);
});

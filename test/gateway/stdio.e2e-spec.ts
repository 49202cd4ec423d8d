import { startModelServerEmulator, type ModelServerEmulator } from '@app/testing';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import Ajv2020 from 'ajv/dist/2020.js';
import { BUILT_GATEWAY, REPO_ROOT } from './support/built-gateway';
import { GENERATE_REPLY, chunksOf } from './support/model-replies';

/** The built gateway as a real child process speaking MCP on stdin/stdout, as Claude Desktop runs it. */
describe('MCP over stdio (built gateway, child process)', () => {
  let emulator: ModelServerEmulator;
  let client: Client;
  let transport: StdioClientTransport;
  const stderr: string[] = [];
  const protocolErrors: Error[] = [];

  beforeAll(async () => {
    emulator = await startModelServerEmulator();
    transport = new StdioClientTransport({
      command: process.execPath,
      args: [BUILT_GATEWAY, '--stdio'],
      cwd: REPO_ROOT,
      stderr: 'pipe',
      env: {
        PATH: process.env.PATH ?? '',
        STARCODER_ENDPOINT: `${emulator.url}/v1/chat/completions`,
        STARCODER_MODEL: 'starcoder2-7b',
        MODEL_MAX_RETRIES: '0',
        LOG_LEVEL: 'info',
      },
    });
    transport.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
    client = new Client({ name: 'stdio-e2e', version: '1.0.0' });
    client.onerror = (error) => protocolErrors.push(error);
    await client.connect(transport);
  }, 60_000);

  afterAll(async () => {
    await client.close();
    await emulator.close();
  });

  it('lists the tools and calls generate_code with progress; stdout carries only protocol', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(['formalize_task', 'generate_code', 'review_code', 'run_tests']);
    emulator.script({ chunks: chunksOf(GENERATE_REPLY, 4), chunkDelayMs: 10 });
    const progress: number[] = [];
    const result = (await client.callTool(
      { name: 'generate_code', arguments: { task: 'merge intervals' } },
      undefined,
      {
        onprogress: (p) => progress.push(p.progress),
      },
    )) as CallToolResult;
    expect(result.isError).toBeFalsy();
    const schema = tools.find((t) => t.name === 'generate_code')!.outputSchema!;
    expect(new Ajv2020({ strict: false }).validate(schema, result.structuredContent)).toBe(true);
    expect(progress.length).toBeGreaterThan(0);
    // a log line on stdout would have broken JSON-RPC framing and surfaced here
    expect(protocolErrors).toEqual([]);
    // logs are JSON lines on stderr, written asynchronously: wait for this call's line
    const toolCallLogged = () =>
      stderr
        .join('')
        .split('\n')
        .some(
          (line) => line.startsWith('{') && (JSON.parse(line) as { event?: string }).event === 'tool_call',
        );
    for (let waited = 0; !toolCallLogged() && waited < 5_000; waited += 50) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(toolCallLogged()).toBe(true);
  });

  it('cancellation reaches the emulator; bad input is an isError result and the server keeps serving', async () => {
    emulator.reset();
    emulator.script({ kind: 'hang' });
    const controller = new AbortController();
    const call = client.callTool({ name: 'review_code', arguments: { code: 'x = 1' } }, undefined, {
      signal: controller.signal,
    });
    await emulator.waitForGenerations(1);
    controller.abort();
    await expect(call).rejects.toThrow();
    await emulator.waitForAborts(1, 5_000);
    const invalid = (await client.callTool({
      name: 'review_code',
      arguments: { code: '' },
    })) as CallToolResult;
    expect(invalid.isError).toBe(true);
    expect(await client.ping()).toEqual({});
  });
});

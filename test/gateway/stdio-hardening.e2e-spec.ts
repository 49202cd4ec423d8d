import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { startModelServerEmulator, type ModelServerEmulator } from '@app/testing';
import { BUILT_GATEWAY, REPO_ROOT } from './support/built-gateway';
import { GENERATE_REPLY } from './support/model-replies';

interface JsonRpcLine {
  id?: unknown;
  result?: Record<string, unknown>;
  error?: { code: number; message: string };
}

/** The built gateway over stdio, driven with raw lines (what a buggy or hostile client can send). */
class RawStdioGateway {
  readonly child: ChildProcessWithoutNullStreams;
  readonly lines: JsonRpcLine[] = [];
  readonly exited: Promise<number | null>;
  private pending = '';

  constructor(env: Record<string, string>) {
    this.child = spawn(process.execPath, [BUILT_GATEWAY, '--stdio'], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', MODEL_MAX_RETRIES: '0', ...env },
    });
    this.child.stdout.setEncoding('utf8');
    this.child.stdout.on('data', (chunk: string) => this.read(chunk));
    this.child.stderr.resume();
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
  }

  send(line: string): void {
    this.child.stdin.write(`${line}\n`);
  }

  /** The answer with this id; rejects after `timeoutMs` (a deaf server never answers). */
  async answer(id: unknown, timeoutMs = 10_000): Promise<JsonRpcLine> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.lines.find((line) => line.id === id && (line.result || line.error));
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no answer to id ${String(id)} within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async initialize(): Promise<void> {
    const params = {
      protocolVersion: '2025-11-25',
      capabilities: {},
      clientInfo: { name: 'raw', version: '1' },
    };
    this.send(JSON.stringify({ jsonrpc: '2.0', id: 'init', method: 'initialize', params }));
    await this.answer('init', 30_000);
    this.send(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }));
  }

  private read(chunk: string): void {
    this.pending += chunk;
    let newline = this.pending.indexOf('\n');
    while (newline !== -1) {
      const line = this.pending.slice(0, newline);
      this.pending = this.pending.slice(newline + 1);
      if (line.trim() !== '') this.lines.push(JSON.parse(line) as JsonRpcLine);
      newline = this.pending.indexOf('\n');
    }
  }
}

describe('stdio transport under attack (built gateway, raw lines)', () => {
  let emulator: ModelServerEmulator;

  beforeAll(async () => {
    emulator = await startModelServerEmulator();
  });

  afterAll(() => emulator.close());

  const env = () => ({
    STARCODER_ENDPOINT: `${emulator.url}/v1/chat/completions`,
    STARCODER_MODEL: 'starcoder2-7b',
  });

  it('answers an oversized line with an error naming the limit and keeps serving', async () => {
    const gateway = new RawStdioGateway(env());
    try {
      await gateway.initialize();
      const pad = 'x'.repeat(12 * 1024 * 1024);
      gateway.send(
        `{"jsonrpc":"2.0","method":"tools/call","params":{"name":"review_code","arguments":{"code":"${pad}"}},"id":41}`,
      );
      const tooLarge = await gateway.answer(41);
      expect(tooLarge.error).toMatchObject({
        code: -32600,
        message: expect.stringMatching(/too large.*bytes/i),
      });
      gateway.send(JSON.stringify({ jsonrpc: '2.0', id: 42, method: 'ping' }));
      expect(await gateway.answer(42)).toMatchObject({ result: {} });
    } finally {
      gateway.child.kill();
      await gateway.exited;
    }
  }, 60_000);

  it('answers garbage with -32700 and non-JSON-RPC with -32600, and keeps serving', async () => {
    const gateway = new RawStdioGateway(env());
    try {
      await gateway.initialize();
      gateway.send('{"jsonrpc": "2.0", "id": ');
      gateway.send('{"hello":"world","id":5}');
      gateway.send(JSON.stringify({ jsonrpc: '2.0', id: 6, method: 'tools/call', params: { name: 7 } }));
      gateway.send(JSON.stringify({ jsonrpc: '2.0', id: 8, method: 'ping' }));
      expect(await gateway.answer(8)).toMatchObject({ result: {} });
      const errors = gateway.lines.filter((line) => line.error).map((line) => [line.id, line.error?.code]);
      expect(errors).toEqual([
        [null, -32700],
        [null, -32600],
        [6, -32602],
      ]);
    } finally {
      gateway.child.kill();
      await gateway.exited;
    }
  }, 60_000);

  it('closing stdin while a call is in flight: the answer is written, then the process exits 0', async () => {
    const gateway = new RawStdioGateway(env());
    await gateway.initialize();
    emulator.script({ text: GENERATE_REPLY, delayMs: 500 });
    const call = { name: 'generate_code', arguments: { task: 'merge intervals' } };
    gateway.send(JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'tools/call', params: call }));
    gateway.child.stdin.end();
    const startedAt = Date.now();
    expect(await gateway.exited).toBe(0);
    const exitMs = Date.now() - startedAt;
    const answer = gateway.lines.find((line) => line.id === 9);
    expect(answer?.result).toMatchObject({ structuredContent: { language: 'python' } });
    expect(exitMs).toBeLessThan(10_000);
  }, 60_000);
});

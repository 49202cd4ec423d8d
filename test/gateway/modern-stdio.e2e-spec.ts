import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { startModelServerEmulator, type ModelServerEmulator } from '@app/testing';
import Ajv2020 from 'ajv/dist/2020.js';
import { BUILT_GATEWAY, REPO_ROOT } from './support/built-gateway';
import { FORMALIZE_REPLY, GENERATE_REPLY, REVIEW_REPLY, chunksOf } from './support/model-replies';
import { gatewayStdioTransport, v2Client } from './support/v2-clients';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- raw wire JSON, asserted field by field
type Json = Record<string, any>;

const ajv = new Ajv2020({ strict: false });
const ENVELOPE = {
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientCapabilities': { extensions: { 'io.modelcontextprotocol/tasks': {} } },
};

/** The built gateway on stdio, spoken to line by line (what a 2026-07-28 tasks client writes). */
class RawStdio {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly waiting = new Map<number, (message: Json) => void>();
  private nextId = 1;

  constructor(emulatorUrl: string) {
    this.child = spawn(process.execPath, [BUILT_GATEWAY, '--stdio'], {
      cwd: REPO_ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        STARCODER_ENDPOINT: `${emulatorUrl}/v1/chat/completions`,
        STARCODER_MODEL: 'starcoder2-7b',
        LOG_LEVEL: 'silent',
      },
    });
    createInterface({ input: this.child.stdout }).on('line', (line) => {
      const message = JSON.parse(line) as Json;
      if (typeof message.id === 'number') this.waiting.get(message.id)?.(message);
    });
  }

  request(method: string, params: Json): Promise<Json> {
    const id = this.nextId++;
    const answered = new Promise<Json>((resolve) => this.waiting.set(id, resolve));
    const message = { jsonrpc: '2.0', id, method, params: { ...params, _meta: ENVELOPE } };
    this.child.stdin.write(`${JSON.stringify(message)}\n`);
    return answered;
  }

  async close(): Promise<void> {
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.stdin.end();
    await exited;
  }
}

/** MCP 2026-07-28 over stdio (the built gateway as a child process, serveStdio pinned to the modern era). */
describe('MCP 2026-07-28 over stdio', () => {
  let emulator: ModelServerEmulator;

  beforeAll(async () => {
    emulator = await startModelServerEmulator();
  });

  afterAll(() => emulator.close());

  beforeEach(() => emulator.reset());

  it('SDK v2 client pinned to 2026-07-28: each tool with progress, results valid against outputSchema', async () => {
    const client = v2Client('modern');
    await client.connect(gatewayStdioTransport(emulator.url, []));
    try {
      const { tools } = await client.listTools();
      const replies: Record<string, { args: Json; reply: string }> = {
        formalize_task: { args: { task: 'merge overlapping intervals' }, reply: FORMALIZE_REPLY },
        generate_code: { args: { task: 'merge overlapping intervals' }, reply: GENERATE_REPLY },
        review_code: { args: { code: 'def div(a, b):\n    return a / b\n' }, reply: REVIEW_REPLY },
      };
      for (const tool of tools.filter((listed) => listed.name in replies)) {
        const { args, reply } = replies[tool.name]!;
        emulator.script({ chunks: chunksOf(reply, 16), chunkDelayMs: 5 });
        const progress: number[] = [];
        const result = await client.callTool(
          { name: tool.name, arguments: args },
          { onprogress: (p) => progress.push(p.progress) },
        );
        expect(result.isError).toBeFalsy();
        expect(ajv.validate(tool.outputSchema!, result.structuredContent)).toBe(true);
        expect(progress.length).toBeGreaterThan(0);
      }
    } finally {
      await client.close();
    }
  }, 60_000);

  it('a task over stdio (ext-tasks 2026-07-28): created, polled to completion; another one cancelled frees the upstream', async () => {
    const stdio = new RawStdio(emulator.url);
    try {
      emulator.script({ text: GENERATE_REPLY, delayMs: 100 });
      const created = await stdio.request('tools/call', { name: 'generate_code', arguments: { task: 'x' } });
      expect(created.result).toMatchObject({ resultType: 'task', status: 'working' });
      let polled: Json = {};
      for (let attempt = 0; attempt < 100 && polled.status !== 'completed'; attempt += 1) {
        polled = (await stdio.request('tasks/get', { taskId: created.result.taskId })).result as Json;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(polled.result.structuredContent.code).toContain('def merge');
      emulator.script({ kind: 'hang' });
      const hanging = await stdio.request('tools/call', { name: 'generate_code', arguments: { task: 'y' } });
      await emulator.waitForRequests(2);
      expect((await stdio.request('tasks/cancel', { taskId: hanging.result.taskId })).result).toBeDefined();
      await emulator.waitForAborts(1, 5_000);
      const cancelled = await stdio.request('tasks/get', { taskId: hanging.result.taskId });
      expect(cancelled.result.status).toBe('cancelled');
    } finally {
      await stdio.close();
    }
  }, 60_000);
});

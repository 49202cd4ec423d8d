import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CallToolResult, Progress } from '@modelcontextprotocol/sdk/types.js';
import { defaultEmbeddedModelRegistry } from '../../libs/inference/src/embedded';
import { connectStreamableHttp, startGateway, type RunningGateway } from '../gateway/support/gateway-harness';
import { buildTinyGguf } from '../support/tiny-gguf';
import { startFileServer, type FileServer } from './support/file-server';

/*
 * Issue 15, "the no-GPU default on first contact": nothing configured, so the gateway downloads its model.
 * The download now starts with the gateway, in the background, and whoever looks meanwhile learns how far
 * it is: /health/ready (percent) and an MCP client calling a tool (progress notifications) — against the
 * local hub stand-in the download tests use, sending the file slowly.
 */
const CODE_LINES = 'def add(a, b):\n    return a + b';
const MODEL = buildTinyGguf({ script: ['```python\n', CODE_LINES, '\n```'], preferJsonClosers: true });

interface ReadyBody {
  details: { code_model: { status: string; loading?: { phase: string; percent?: number; message: string } } };
}

async function readiness(gateway: RunningGateway): Promise<ReadyBody> {
  return (await (await fetch(`${gateway.baseUrl}/health/ready`)).json()) as ReadyBody;
}

describe('first start of the embedded default: the model downloads in the background', () => {
  let hub: FileServer;
  let cacheDir: string;
  let gateway: RunningGateway;

  beforeAll(async () => {
    // ≈ 3 s for the whole file: long enough to look while it downloads
    hub = await startFileServer({
      body: MODEL,
      trickleBytes: Math.ceil(MODEL.length / 100),
      trickleDelayMs: 30,
    });
    cacheDir = await mkdtemp(join(tmpdir(), 'first-start-'));
    gateway = await startGateway({
      STARCODER_ENDPOINT: undefined,
      MISTRAL_ENDPOINT: undefined,
      STARCODER_MODEL_FILE: 'hf:local/tiny-coder/tiny-coder.gguf',
      MISTRAL_MODEL_FILE: 'hf:local/tiny-coder/tiny-coder.gguf',
      MODEL_HUB_URL: hub.url,
      MODEL_CACHE_DIR: cacheDir,
      EMBEDDED_THREADS: '1',
      EMBEDDED_CONTEXT_SIZE: '2048',
    });
  });

  afterAll(async () => {
    await gateway?.close();
    await defaultEmbeddedModelRegistry.releaseAll();
    await hub?.close();
    await rm(cacheDir, { recursive: true, force: true });
  });

  it('starts downloading at start-up, shows the percent in /health/ready, and reports progress to a caller', async () => {
    // no call made yet: the gateway itself started the download
    let body = await readiness(gateway);
    for (let i = 0; i < 100 && body.details.code_model.loading?.phase !== 'downloading'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      body = await readiness(gateway);
    }
    expect(body.details.code_model.loading).toMatchObject({
      phase: 'downloading',
      percent: expect.any(Number),
      message: expect.stringMatching(/downloading tiny-coder\.gguf: \d+% \(/),
    });
    expect(hub.requests.some((r) => r.method === 'GET')).toBe(true);

    const client = await connectStreamableHttp(gateway.baseUrl);
    try {
      const progress: Progress[] = [];
      const result = (await client.callTool(
        { name: 'generate_code', arguments: { task: 'add two numbers', language: 'python' } },
        undefined,
        { onprogress: (notice) => progress.push(notice), timeout: 60_000 },
      )) as CallToolResult;
      expect(result.isError ?? false).toBe(false);
      expect(result.structuredContent).toMatchObject({ code: CODE_LINES });
      const waiting = progress.filter((p) => /^waiting for the model: downloading/.test(p.message ?? ''));
      expect(waiting.length).toBeGreaterThanOrEqual(1);
      expect(waiting[0]?.message).toMatch(/\d+% \(/);
      // MCP progress only ever increases, across the waiting and the generating notices
      const values = progress.map((p) => p.progress);
      expect(values).toEqual([...values].sort((a, b) => a - b));
    } finally {
      await client.close();
    }
    expect((await readiness(gateway)).details.code_model).toMatchObject({ status: 'up' });
  }, 60_000);
});

import { rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { TOOL_NAMES } from '@app/contracts';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { CallToolResult, Progress, Tool } from '@modelcontextprotocol/sdk/types.js';
import Ajv2020 from 'ajv/dist/2020.js';
import { Agent, fetch as undiciFetch, type RequestInit as UndiciRequestInit } from 'undici';
import { defaultEmbeddedModelRegistry } from '../../libs/inference/src/embedded';
import { startGateway, type RunningGateway } from '../gateway/support/gateway-harness';
import { writeTinyGguf, type TinyGgufOptions } from '../support/tiny-gguf';

/*
 * Issue 5, "the gateway's tools work end to end on [a tiny GGUF the tests generate]": the real gateway app
 * with no model endpoint, so every tool runs on the in-process llama.cpp engine, driven by the MCP SDK
 * client over Streamable HTTP. Two generated models, because one cannot do both jobs:
 * - a scripted one (answers a fixed fenced code block, JSON-friendly under a grammar) for the tools' outputs;
 * - a random one that never emits end-of-sequence, so generate_code runs to its token budget (1536 tokens)
 *   and a cancellation lands mid-generation whatever the machine's speed.
 */

const ajv = new Ajv2020({ strict: false });
const CODE_LINES = 'def add(a, b):\n    return a + b';
const SCRIPT = ['```python\n', CODE_LINES, '\n```'];
/** generate_code's token budget (libs/prompts): the never-ending model writes this many tokens uncancelled */
const GENERATE_MAX_TOKENS = 1536;

/** No endpoint: both roles on the embedded engine, one CPU thread (tests share 2 cores). */
function embeddedEnv(modelFile: string) {
  return {
    STARCODER_ENDPOINT: undefined,
    STARCODER_PROTOCOL: undefined,
    MISTRAL_ENDPOINT: undefined,
    MISTRAL_PROTOCOL: undefined,
    STARCODER_MODEL_FILE: modelFile,
    MISTRAL_MODEL_FILE: modelFile,
    MODEL_CACHE_DIR: dirname(modelFile),
    EMBEDDED_THREADS: '1',
    EMBEDDED_CONTEXT_SIZE: '2048',
  };
}

/**
 * The SDK client on a connection pool the test owns: after slow (embedded) calls undici opens one more
 * socket as the client closes, and the gateway's server.close() would wait for its 4 s keep-alive timeout.
 * Destroying the pool after the client closes ends every socket at once.
 */
async function connectWithOwnPool(baseUrl: string): Promise<{ client: Client; pool: Agent }> {
  const pool = new Agent();
  const fetchOnPool = ((url: string | URL, init?: RequestInit) =>
    undiciFetch(url, { ...(init as UndiciRequestInit), dispatcher: pool })) as unknown as FetchLike;
  const client = new Client({ name: 'gateway-on-embedded-e2e', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${baseUrl}/mcp`), { fetch: fetchOnPool }));
  return { client, pool };
}

interface EmbeddedGateway {
  modelFile: string;
  gateway: RunningGateway;
  client: Client;
  close(): Promise<void>;
}

async function startEmbeddedGateway(model: TinyGgufOptions): Promise<EmbeddedGateway> {
  const modelFile = await writeTinyGguf(model);
  const gateway = await startGateway(embeddedEnv(modelFile));
  const { client, pool } = await connectWithOwnPool(gateway.baseUrl);
  return {
    modelFile,
    gateway,
    client,
    close: async () => {
      await client.close();
      await pool.destroy();
      await gateway.close();
      await rm(dirname(modelFile), { recursive: true, force: true });
    },
  };
}

/** A successful call with structured output; on failure the error text shows in the diff. */
function successful(result: unknown): CallToolResult & { structuredContent: Record<string, unknown> } {
  const call = result as CallToolResult;
  const first = call.content[0];
  expect({ isError: call.isError ?? false, text: first?.type === 'text' ? first.text : '' }).toMatchObject({
    isError: false,
  });
  expect(call.structuredContent).toBeDefined();
  return call as CallToolResult & { structuredContent: Record<string, unknown> };
}

/** Tokens the shared llama.cpp sequence of this model has generated so far (server side, all calls). */
async function generatedTokens(modelFile: string): Promise<number> {
  const loaded = await defaultEmbeddedModelRegistry.find(modelFile)!.get();
  return loaded.chat.sequence.tokenMeter.getState().usedOutputTokens;
}

describe('gateway tools on the embedded engine (tiny generated GGUF, no endpoint)', () => {
  describe('scripted model: every tool answers contract-valid output', () => {
    let running: EmbeddedGateway;
    let tools: Tool[];

    beforeAll(async () => {
      running = await startEmbeddedGateway({ script: SCRIPT, preferJsonClosers: true });
      tools = (await running.client.listTools()).tools;
    });

    afterAll(() => running.close());

    const outputSchemaOf = (name: string) => tools.find((tool) => tool.name === name)!.outputSchema!;

    it('lists the three tools', () => {
      expect(tools.map((tool) => tool.name)).toEqual([...TOOL_NAMES]);
    });

    // Without a grammar this model writes its fenced code block whatever the prompt: valid JSON here can only
    // come from the JSON-Schema grammar the embedded engine compiles from the tool's output schema.
    it.each([
      ['formalize_task', { task: 'add two numbers', language: 'python' }],
      ['review_code', { code: 'def div(a, b):\n    return a / b\n', language: 'python' }],
    ])(
      '%s: structured output under the JSON-Schema grammar validates against the listed outputSchema',
      async (name, args) => {
        const result = successful(await running.client.callTool({ name, arguments: args }));
        const valid = ajv.validate(outputSchemaOf(name), result.structuredContent);
        expect(ajv.errors ?? []).toEqual([]);
        expect(valid).toBe(true);
      },
    );

    it('generate_code: returns the scripted fenced block as code, with its language', async () => {
      const result = successful(
        await running.client.callTool({ name: 'generate_code', arguments: { task: 'add two numbers' } }),
      );
      expect(ajv.validate(outputSchemaOf('generate_code'), result.structuredContent)).toBe(true);
      expect(result.structuredContent).toMatchObject({ language: 'python', code: CODE_LINES });
    });

    it('sends progress notifications for a call made with a progressToken', async () => {
      const progress: Progress[] = [];
      const result = await running.client.callTool(
        { name: 'generate_code', arguments: { task: 'add two numbers' } },
        undefined,
        { onprogress: (notice) => progress.push(notice) },
      );
      expect(successful(result).structuredContent.code).toBe(CODE_LINES);
      expect(progress.length).toBeGreaterThanOrEqual(1);
      expect(progress[0]).toMatchObject({ progress: 1, message: expect.stringMatching(/generating/) });
    });

    it('/health/ready reports the code model up on the embedded engine after a call', async () => {
      const response = await fetch(`${running.gateway.baseUrl}/health/ready`);
      const body = (await response.json()) as { status: string; details: Record<string, unknown> };
      expect({ status: response.status, overall: body.status }).toEqual({ status: 200, overall: 'ok' });
      expect(body.details.code_model).toMatchObject({
        status: 'up',
        protocol: 'embedded',
        replicas: [{ url: `embedded:${running.modelFile}`, state: 'up' }],
      });
      expect(defaultEmbeddedModelRegistry.find(running.modelFile)?.state).toBe('loaded');
    });
  });

  describe('never-ending model: cancellation mid-generation', () => {
    let running: EmbeddedGateway;

    beforeAll(async () => {
      running = await startEmbeddedGateway({ seed: 7, preferJsonClosers: true, name: 'endless' });
    });

    afterAll(() => running.close());

    it('a cancelled call rejects, stops the generation early, and the next call still succeeds', async () => {
      const { client, modelFile } = running;
      const warmUp = await client.callTool({ name: 'formalize_task', arguments: { task: 'warm up' } });
      successful(warmUp); // loads the model, so the token meter below exists
      const before = await generatedTokens(modelFile);
      const controller = new AbortController();
      const cancelled = client.callTool(
        { name: 'generate_code', arguments: { task: 'anything' } },
        undefined,
        {
          signal: controller.signal,
          onprogress: () => controller.abort('user pressed stop'),
        },
      );
      await expect(cancelled).rejects.toThrow();
      const next = await client.callTool({ name: 'formalize_task', arguments: { task: 'add two numbers' } });
      const { structuredContent } = successful(next);
      expect(structuredContent).toHaveProperty('title');
      // The next call queued behind the cancelled one: had the cancel not reached llama.cpp, the whole
      // token budget would have been generated first.
      expect((await generatedTokens(modelFile)) - before).toBeLessThan(GENERATE_MAX_TOKENS / 2);
    });
  });

  describe('a model that cannot be loaded', () => {
    it('answers REST with 503 (the model is unavailable, not the gateway broken), naming the file', async () => {
      const modelFile = await writeTinyGguf({ name: 'broken' });
      await writeFile(modelFile, 'not a GGUF file');
      const gateway = await startGateway(embeddedEnv(modelFile));
      try {
        const answer = await fetch(`${gateway.baseUrl}/v1/tools/generate_code`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ task: 'add', language: 'python' }),
        });
        expect(answer.status).toBe(503);
        // a broken file stays broken: no Retry-After promising it will work later
        expect(answer.headers.get('retry-after')).toBeNull();
        const body = (await answer.json()) as { error: { code: string; message: string } };
        expect(body.error).toMatchObject({ code: 'CONFIG', message: expect.stringContaining(modelFile) });
      } finally {
        await gateway.close();
        await rm(dirname(modelFile), { recursive: true, force: true });
      }
    });
  });
});

import { rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { TOOL_CONTRACTS } from '@app/contracts';
import { InferenceError, type GenerationResult, type ModelClient, type StreamEvent } from '@app/inference';
import {
  createEmbeddedModelClient,
  EmbeddedModelRegistry,
  preloadIfEmbedded,
  type EmbeddedClientOptions,
} from '../../libs/inference/src/embedded';
import { writeTinyGguf } from '../support/tiny-gguf';

const messages = [
  { role: 'system' as const, content: 'You write code.' },
  { role: 'user' as const, content: 'Write hello world in Python.' },
];

describe('embedded llama.cpp client on a tiny generated GGUF', () => {
  let modelFile: string;
  let registry: EmbeddedModelRegistry;
  let client: ModelClient;
  const temporaryModels: string[] = [];
  const tinyModel = async (...args: Parameters<typeof writeTinyGguf>) => {
    const path = await writeTinyGguf(...args);
    temporaryModels.push(path);
    return path;
  };

  const options = (overrides: Partial<EmbeddedClientOptions> = {}): EmbeddedClientOptions => ({
    role: 'code',
    modelFile,
    registry,
    gpu: false,
    threads: 1,
    contextSize: 512,
    progressOutput: false,
    warn: () => undefined,
    ...overrides,
  });

  beforeAll(async () => {
    modelFile = await tinyModel({ seed: 7 });
    registry = new EmbeddedModelRegistry();
    client = createEmbeddedModelClient(options());
  });

  afterAll(async () => {
    await client.close();
    await registry.releaseAll();
    await Promise.all(temporaryModels.map((path) => rm(dirname(path), { recursive: true, force: true })));
  });

  it('declares what the embedded engine can do', async () => {
    await expect(preloadIfEmbedded({ ...client, protocol: 'openai-chat' })).resolves.toBe(false);
    expect(client.protocol).toBe('embedded');
    expect(client.capabilities).toEqual({ streaming: true, structuredOutput: true, nativeTools: false });
  });

  it('reports health without loading the model, then loaded after first use', async () => {
    const idle = await client.checkHealth();
    expect(idle).toMatchObject({ role: 'code', protocol: 'embedded', state: 'up' });
    expect(registry.size).toBe(1);
    await client.generate({ messages, maxTokens: 2 });
    const loaded = await client.checkHealth();
    expect(loaded.replicas[0]).toMatchObject({
      url: `embedded:${modelFile}`,
      state: 'up',
      consecutiveFailures: 0,
    });
  });

  it('loads the model and generates with usage counts and timings', async () => {
    const result = await client.generate({ messages, maxTokens: 24 });
    expect(result.text.length).toBeGreaterThan(0);
    expect(result.finishReason).toBe('length');
    expect(result.usage?.completionTokens).toBe(24);
    expect(result.usage?.promptTokens).toBeGreaterThan(messages[1]!.content.length / 2);
    expect(result.usage?.totalTokens).toBe(result.usage!.promptTokens + 24);
    expect(result).toMatchObject({
      model: 'tiny-llama',
      endpoint: `embedded:${modelFile}`,
      attempts: 1,
      toolCalls: [],
    });
    expect(result.timings.totalMs).toBeGreaterThanOrEqual(result.timings.firstTokenMs);
  });

  it('is deterministic at temperature 0', async () => {
    const first = await client.generate({ messages, maxTokens: 16 });
    const second = await client.generate({ messages, maxTokens: 16 });
    expect(second.text).toBe(first.text);
  });

  it('streams text deltas through onToken that add up to the result', async () => {
    const deltas: string[] = [];
    const result = await client.generate({ messages, maxTokens: 20, onToken: (delta) => deltas.push(delta) });
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.join('')).toBe(result.text);
  });

  it('streams token events then one done event through stream()', async () => {
    const events: StreamEvent[] = [];
    for await (const event of client.stream({ messages, maxTokens: 12 })) events.push(event);
    const done = events.at(-1);
    expect(done?.type).toBe('done');
    const tokens = events.slice(0, -1);
    expect(tokens.every((event) => event.type === 'token')).toBe(true);
    const text = tokens.map((event) => (event.type === 'token' ? event.text : '')).join('');
    expect(text).toBe((done as { result: GenerationResult }).result.text);
  });

  it('cancels mid-generation with CANCELLED and partial output flagged, then serves the next call', async () => {
    const controller = new AbortController();
    let deltas = 0;
    const generation = client.generate({
      messages,
      maxTokens: 400,
      signal: controller.signal,
      onToken: () => {
        if (++deltas === 5) controller.abort();
      },
    });
    await expect(generation).rejects.toMatchObject({ code: 'CANCELLED', details: { partialOutput: true } });
    expect(deltas).toBeLessThan(20);
    const next = await client.generate({ messages, maxTokens: 4 });
    expect(next.usage?.completionTokens).toBe(4);
  });

  it('rejects at once when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(client.generate({ messages, signal: controller.signal })).rejects.toBeInstanceOf(
      InferenceError,
    );
  });

  it('stops the generation when a stream consumer stops reading', async () => {
    const loaded = await registry.find(modelFile)!.get();
    const generatedTokens = () => loaded.chat.sequence.tokenMeter.getState().usedOutputTokens;
    const before = generatedTokens();
    let seen = 0;
    for await (const event of client.stream({ messages, maxTokens: 1500 })) {
      if (event.type === 'token' && ++seen === 3) break;
    }
    await client.generate({ messages, maxTokens: 2 }); // queued behind the abandoned generation
    expect(generatedTokens() - before).toBeLessThan(50);
  });

  it('produces schema-valid JSON under a grammar', async () => {
    const schema = z.object({
      verdict: z.enum(['approve', 'request_changes']),
      summary: z.string().max(24),
      safe: z.boolean(),
      tags: z.array(z.enum(['bug', 'style', 'perf'])).max(3),
    });
    const result = await client.generate({
      messages,
      maxTokens: 300,
      jsonSchema: { name: 'review', schema: z.toJSONSchema(schema) },
    });
    expect(result.finishReason).toBe('stop');
    expect(schema.safeParse(JSON.parse(result.text)).success).toBe(true);
  });

  it('gives contract-valid outputs for every tool under its output schema (JSON-friendly tiny model)', async () => {
    const jsonRegistry = new EmbeddedModelRegistry();
    const jsonModel = await tinyModel({ seed: 7, preferJsonClosers: true });
    const jsonClient = createEmbeddedModelClient(options({ modelFile: jsonModel, registry: jsonRegistry }));
    for (const contract of Object.values(TOOL_CONTRACTS)) {
      const result = await jsonClient.generate({
        messages,
        maxTokens: 400,
        jsonSchema: { name: contract.name, schema: contract.outputJsonSchema },
      });
      expect(result.finishReason).toBe('stop');
      expect(contract.output.safeParse(JSON.parse(result.text)).success).toBe(true);
    }
    await jsonClient.close();
    expect(jsonRegistry.size).toBe(0);
  });

  it('stops at end-of-sequence: a scripted tiny model writes its script, then finishes with stop', async () => {
    const scriptRegistry = new EmbeddedModelRegistry();
    const script = ['```python\n', 'print(1)', '\n```'];
    const scripted = await tinyModel({ script, preferJsonClosers: true });
    const scriptClient = createEmbeddedModelClient(
      options({ modelFile: scripted, registry: scriptRegistry }),
    );
    const deltas: string[] = [];
    const result = await scriptClient.generate({
      messages,
      maxTokens: 50,
      onToken: (delta) => deltas.push(delta),
    });
    expect(result).toMatchObject({ text: script.join(''), finishReason: 'stop' });
    expect(result.usage?.completionTokens).toBe(3);
    const review = TOOL_CONTRACTS.review_code;
    const structured = await scriptClient.generate({
      messages,
      maxTokens: 300,
      jsonSchema: { name: review.name, schema: review.outputJsonSchema },
    });
    expect(review.output.safeParse(JSON.parse(structured.text)).success).toBe(true);
    await scriptClient.close();
  });

  it('runs one generation at a time: a second concurrent call waits for the first', async () => {
    const order: string[] = [];
    const first = client
      .generate({ messages, maxTokens: 30, onToken: () => order.push('a') })
      .then(() => order.push('a-done'));
    const second = client.generate({ messages, maxTokens: 30, onToken: () => order.push('b') });
    await Promise.all([first, second]);
    expect(order.indexOf('b')).toBeGreaterThan(order.indexOf('a-done'));
  });

  it('removes a queued request when its signal aborts, without it ever generating', async () => {
    const controller = new AbortController();
    let queuedTokens = 0;
    const running = client.generate({ messages, maxTokens: 200 });
    const queued = client.generate({
      messages,
      maxTokens: 50,
      signal: controller.signal,
      onToken: () => queuedTokens++,
    });
    controller.abort();
    await expect(queued).rejects.toMatchObject({ code: 'CANCELLED' });
    await expect(running).resolves.toMatchObject({ finishReason: 'length' });
    expect(queuedTokens).toBe(0);
  });

  it('shares one model between the two roles and frees it with the last client', async () => {
    const shared = new EmbeddedModelRegistry();
    const code = createEmbeddedModelClient(options({ role: 'code', registry: shared }));
    const planner = createEmbeddedModelClient(options({ role: 'planner', registry: shared }));
    expect((await planner.checkHealth()).replicas[0]?.state).toBe('up'); // file present, not loaded yet
    await expect(preloadIfEmbedded(code)).resolves.toBe(true);
    expect(shared.find(modelFile)?.state).toBe('loaded');
    const [a, b] = await Promise.all([
      code.generate({ messages, maxTokens: 3 }),
      planner.generate({ messages, maxTokens: 3 }),
    ]);
    expect(shared.size).toBe(1);
    expect(a.endpoint).toBe(b.endpoint);
    await code.close();
    expect(shared.size).toBe(1);
    await expect(planner.generate({ messages, maxTokens: 2 })).resolves.toMatchObject({
      finishReason: 'length',
    });
    await planner.close();
    expect(shared.size).toBe(0);
    await expect(code.generate({ messages })).rejects.toMatchObject({ code: 'CONFIG' });
  });

  it('fails with CONFIG naming the variables when a local model file is missing', async () => {
    const missing = createEmbeddedModelClient(
      options({ role: 'planner', modelFile: join(dirname(modelFile), 'absent.gguf') }),
    );
    expect((await missing.checkHealth()).state).toBe('down');
    await expect(missing.generate({ messages })).rejects.toMatchObject({
      code: 'CONFIG',
      message: expect.stringContaining('MISTRAL_MODEL_FILE'),
    });
    const health = await missing.checkHealth();
    expect(health.replicas[0]).toMatchObject({ state: 'down', consecutiveFailures: 1 });
    await missing.close();
  });

  it('refuses a prompt longer than the context with CONFIG naming EMBEDDED_CONTEXT_SIZE', async () => {
    const long = [{ role: 'user' as const, content: 'x'.repeat(600) }];
    await expect(client.generate({ messages: long, maxTokens: 2 })).rejects.toMatchObject({
      code: 'CONFIG',
      message: expect.stringMatching(
        /needs \d+ tokens but the embedded context holds 512: raise EMBEDDED_CONTEXT_SIZE/,
      ),
    });
  });

  it('applies MODEL_TIMEOUT_SECONDS to the generation (not to loading): TIMEOUT, then serves the next call', async () => {
    const bounded = createEmbeddedModelClient(options({ timeoutMs: 30 }));
    try {
      await preloadIfEmbedded(bounded);
      const started = performance.now();
      const error = await bounded.generate({ messages, maxTokens: 400 }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'TIMEOUT', details: { phase: 'total' } });
      expect((error as Error).message).toContain('MODEL_TIMEOUT_SECONDS');
      expect(performance.now() - started).toBeLessThan(1_000);
      expect((await client.generate({ messages, maxTokens: 4 })).usage?.completionTokens).toBe(4);
    } finally {
      await bounded.close();
    }
  });

  it('says the real limit when EMBEDDED_CONTEXT_SIZE is above what the model was trained on', async () => {
    const warnings: string[] = [];
    const small = createEmbeddedModelClient(
      options({
        modelFile: await tinyModel({ seed: 3, contextLength: 256 }),
        contextSize: 1024,
        warn: (message) => warnings.push(message),
      }),
    );
    try {
      const long = [{ role: 'user' as const, content: 'x'.repeat(600) }];
      const error = await small.generate({ messages: long, maxTokens: 2 }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'CONFIG' });
      expect((error as Error).message).toMatch(/context holds 256: that is this model's limit/);
      expect((error as Error).message).not.toContain('raise EMBEDDED_CONTEXT_SIZE');
      expect(warnings).toContain(
        'EMBEDDED_CONTEXT_SIZE=1024 is more than this model was trained on: using its limit of 256 tokens',
      );
      // a prompt that fits gets the rest of the context, not more: clipped, it ends with "length"
      const clipped = await small.generate({ messages, maxTokens: 100_000 });
      expect((clipped.usage?.promptTokens ?? 0) + (clipped.usage?.completionTokens ?? 0)).toBeLessThanOrEqual(
        256,
      );
    } finally {
      await small.close();
    }
  });

  it('fails with CONFIG when the file is not a GGUF model', async () => {
    const broken = join(dirname(modelFile), 'broken.gguf');
    await writeFile(broken, 'not a model');
    const client = createEmbeddedModelClient(options({ modelFile: broken }));
    await expect(client.generate({ messages })).rejects.toMatchObject({
      code: 'CONFIG',
      message: expect.stringContaining(broken),
    });
    await client.close();
  });
});

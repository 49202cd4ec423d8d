import { loadConfig } from '@app/config';
import {
  CODE_MODEL,
  INFERENCE_EVENTS,
  InferenceHealthIndicator,
  InferenceModule,
  PLANNER_MODEL,
  clientOptionsFor,
  inferenceOptionsFromConfig,
  resolveProtocol,
  type InferenceCallFinished,
  type InferenceError,
  type InferenceEvents,
  type ModelClient,
} from '@app/inference';
import { Test, type TestingModule } from '@nestjs/testing';
import { errorBodies, startModelServerEmulator, type ModelServerEmulator } from '@app/testing';
import { USER, deadUrl, rejectionOf } from './helpers';

/** The Nest wiring: forRootAsync from config, two named clients, health indicator, events, shutdown. */
describe('InferenceModule', () => {
  let code: ModelServerEmulator;
  let planner: ModelServerEmulator;

  beforeAll(async () => {
    code = await startModelServerEmulator({ models: ['bigcode/starcoder2-7b'] });
    planner = await startModelServerEmulator({ models: ['mistralai/Mistral-7B-Instruct-v0.2'] });
  });
  afterEach(() => {
    code.reset();
    planner.reset();
  });
  afterAll(async () => {
    await code.close();
    await planner.close();
  });

  const env = (overrides: Record<string, string> = {}) => ({
    STARCODER_ENDPOINT: `${code.url}/v1/completions`,
    MISTRAL_ENDPOINT: `${planner.url}/v1/chat/completions`,
    MISTRAL_API_KEY: 'planner-key',
    MODEL_TIMEOUT_SECONDS: '5',
    MODEL_MAX_RETRIES: '1',
    ...overrides,
  });

  async function compile(
    overrides?: Record<string, string>,
    observer?: (e: InferenceCallFinished) => void,
  ): Promise<TestingModule> {
    return Test.createTestingModule({
      imports: [
        InferenceModule.forRootAsync({
          useFactory: () => ({
            ...inferenceOptionsFromConfig(loadConfig(env(overrides)).inference),
            observer: observer ? { callFinished: observer } : undefined,
          }),
        }),
      ],
    }).compile();
  }

  it('maps inferenceConfig 1:1 to module options and per-role client options', () => {
    const config = loadConfig(env()).inference;
    const options = inferenceOptionsFromConfig(config);
    expect(options).toMatchObject({ timeoutMs: 5_000, maxRetries: 1, maxConcurrency: config.maxConcurrency });
    expect(options.code).toEqual(config.code);
    expect(clientOptionsFor(options, 'planner')).toMatchObject({
      role: 'planner',
      apiKey: 'planner-key',
      timeoutMs: 5_000,
    });
    expect(resolveProtocol({ urls: [], protocol: 'auto' })).toBe('embedded');
    expect(resolveProtocol({ urls: ['http://h:8000/chat'], protocol: 'auto' })).toBe('local-models');
    expect(resolveProtocol({ urls: ['http://h:8000/v1'], protocol: 'openai-completions' })).toBe(
      'openai-completions',
    );
  });

  it('provides the code and planner clients with protocols detected from the URLs', async () => {
    const finished: InferenceCallFinished[] = [];
    const moduleRef = await compile(undefined, (e) => finished.push(e));
    try {
      const codeClient = moduleRef.get<ModelClient>(CODE_MODEL);
      const plannerClient = moduleRef.get<ModelClient>(PLANNER_MODEL);
      expect([codeClient.role, codeClient.protocol]).toEqual(['code', 'openai-completions']);
      expect([plannerClient.role, plannerClient.protocol]).toEqual(['planner', 'openai-chat']);
      const plan = await plannerClient.generate({ messages: USER });
      expect(plan.model).toBe('mistralai/Mistral-7B-Instruct-v0.2');
      expect(planner.requests.find((r) => r.method === 'POST')?.headers.authorization).toBe(
        'Bearer planner-key',
      );
      const events = moduleRef.get<InferenceEvents>(INFERENCE_EVENTS);
      const seen: string[] = [];
      events.subscribe({ callFinished: (e) => seen.push(e.role) });
      await codeClient.generate({ messages: USER });
      expect(seen).toEqual(['code']);
      expect(finished.map((e) => e.role)).toEqual(['planner', 'code']);
    } finally {
      await moduleRef.close();
    }
  });

  it('reports up, degraded and down through Terminus, one key per role, without generating', async () => {
    const moduleRef = await compile({ MISTRAL_ENDPOINT: `${planner.url}/v1,${await deadUrl()}` });
    try {
      const indicator = moduleRef.get(InferenceHealthIndicator);
      expect(await indicator.check('code')).toMatchObject({
        'code-model': { status: 'up', protocol: 'openai-completions' },
      });
      const degraded = await indicator.check('planner', 'planner');
      expect(degraded).toMatchObject({ planner: { status: 'degraded' } });
      code.setHealth({ status: 503, body: errorBodies.llamaCpp('Loading model') });
      const down = await indicator.check('code');
      expect(down).toMatchObject({ 'code-model': { status: 'down', replicas: [{ state: 'down' }] } });
      expect(JSON.stringify(down)).toContain('503 from /health');
      expect(code.requests.filter((r) => r.method === 'POST')).toHaveLength(0);
    } finally {
      await moduleRef.close();
    }
  });

  it('falls back to /v1/models when a server has no /health (Ollama, proxies)', async () => {
    const moduleRef = await compile();
    try {
      code.setHealth({ status: 404, body: { detail: 'Not Found' } });
      const result = await moduleRef.get(InferenceHealthIndicator).check('code');
      expect(result['code-model']?.status).toBe('up');
      expect(code.requests.map((r) => r.path)).toEqual(['/health', '/v1/models']);
    } finally {
      await moduleRef.close();
    }
  });

  it('reports down when the probe hangs past its timeout', async () => {
    const moduleRef = await compile();
    try {
      const client = moduleRef.get<ModelClient>(CODE_MODEL);
      code.setHealth({ status: 200, hang: true });
      const health = await client.checkHealth(AbortSignal.timeout(100));
      expect(health.state).toBe('down');
      expect(health.replicas[0]?.lastError).toContain('no answer in time');
    } finally {
      await moduleRef.close();
    }
  });

  it('builds the embedded backend for a role without endpoint, and reports a failing probe as down', async () => {
    const built: unknown[] = [];
    const fake: ModelClient = {
      role: 'planner',
      protocol: 'embedded',
      capabilities: { streaming: true, structuredOutput: true, nativeTools: false },
      generate: () => Promise.reject(new Error('not used')),
      stream: () => ({
        [Symbol.asyncIterator]: () => ({ next: () => Promise.resolve({ done: true, value: undefined }) }),
      }),
      checkHealth: () => Promise.reject(new Error('model file missing')),
      close: () => Promise.resolve(),
    };
    const config = loadConfig({
      ...env(),
      MISTRAL_ENDPOINT: '',
      MISTRAL_MODEL_FILE: '/models/m.gguf',
    }).inference;
    const moduleRef = await Test.createTestingModule({
      imports: [
        InferenceModule.forRootAsync({
          useFactory: () => ({
            ...inferenceOptionsFromConfig(config),
            embeddedFactory: (options) => {
              built.push(options);
              return fake;
            },
          }),
        }),
      ],
    }).compile();
    try {
      expect(moduleRef.get<ModelClient>(PLANNER_MODEL)).toBe(fake);
      expect(built).toEqual([
        expect.objectContaining({
          role: 'planner',
          modelFile: '/models/m.gguf',
          cacheDir: config.embedded.cacheDir,
        }),
      ]);
      const result = await moduleRef.get(InferenceHealthIndicator).check('planner');
      expect(result).toMatchObject({
        'planner-model': { status: 'down', protocol: 'embedded', message: 'model file missing' },
      });
    } finally {
      await moduleRef.close();
    }
  });

  it('closes the connection pools when the module is destroyed', async () => {
    const moduleRef = await compile();
    const client = moduleRef.get<ModelClient>(CODE_MODEL);
    await client.generate({ messages: USER });
    await moduleRef.close();
    const error = (await rejectionOf(client.generate({ messages: USER }))) as InferenceError;
    expect(error.code).toBe('UPSTREAM_ERROR');
  });
});

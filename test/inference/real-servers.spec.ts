import type { InferenceError, ModelClient } from '@app/inference';
import { errorBodies, startModelServerEmulator, type ModelServerEmulator } from '@app/testing';
import { ClientFactory, USER, rejectionOf } from './helpers';

/**
 * What real model servers do that a plain emulator did not (issue 15), reproduced with the emulator's
 * llama-server-like options: its structured-output dialect, 500s that are not server faults, queueing
 * behind a fixed number of slots, and an API key that `/health` does not check.
 */
describe('real model server behaviour', () => {
  const clients = new ClientFactory();
  const servers: ModelServerEmulator[] = [];
  const failure = async (promise: Promise<unknown>) => (await rejectionOf(promise)) as InferenceError;
  const server = async (options: Parameters<typeof startModelServerEmulator>[0] = {}) => {
    const emu = await startModelServerEmulator(options);
    servers.push(emu);
    return emu;
  };
  const posts = (emu: ModelServerEmulator) => emu.requests.filter((r) => r.method === 'POST');
  const SCHEMA = { name: 'answer', schema: { type: 'object', properties: { ok: { type: 'boolean' } } } };

  afterEach(async () => {
    await clients.closeAll();
    await Promise.all(servers.splice(0).map((emu) => emu.close()));
  });

  describe('structured output dialects', () => {
    const sentFields = async (ownedBy: string, path: string, structuredOutput?: 'vllm-legacy') => {
      const emu = await server({ ownedBy });
      const client = clients.create({ urls: [`${emu.url}${path}`], model: 'm', structuredOutput });
      await client.generate({ messages: USER, jsonSchema: SCHEMA });
      const body = posts(emu)[0]?.body as Record<string, unknown>;
      return { body, health: await client.checkHealth() };
    };

    it('sends llama.cpp a top-level json_schema on /v1/completions (it ignores response_format there)', async () => {
      const { body, health } = await sentFields('llamacpp', '/v1/completions');
      expect(body.json_schema).toEqual(SCHEMA.schema);
      expect(body.response_format).toBeUndefined();
      expect(health.structuredOutput).toEqual({ dialect: 'llama.cpp', source: 'detected' });
    });

    it('sends vLLM structured_outputs, or guided_json when configured for an older vLLM', async () => {
      const detected = await sentFields('vllm', '/v1/chat/completions');
      expect(detected.body.structured_outputs).toEqual({ json: SCHEMA.schema });
      const legacy = await sentFields('vllm', '/v1/completions', 'vllm-legacy');
      expect(legacy.body.guided_json).toEqual(SCHEMA.schema);
      expect(legacy.health.structuredOutput).toEqual({ dialect: 'vllm-legacy', source: 'configured' });
    });

    it('falls back to OpenAI response_format for a server it does not recognise', async () => {
      const { body, health } = await sentFields('someone', '/v1/chat/completions');
      expect(body.response_format).toMatchObject({
        type: 'json_schema',
        json_schema: { schema: SCHEMA.schema },
      });
      expect(health.structuredOutput).toEqual({ dialect: 'openai', source: 'detected' });
    });
  });

  describe('500s that are not server faults', () => {
    const parserFailure = errorBodies.llamaCpp(
      'The model produced output that does not match the expected Hermes 2 Pro format',
      500,
      'server_error',
    );

    it('reports a model-output parse failure as INVALID_RESPONSE: no retry, circuit closed, still up', async () => {
      const emu = await server();
      emu.setHandler(() => ({ kind: 'error', status: 500, body: parserFailure }));
      const client = clients.create({
        urls: [`${emu.url}/v1/chat/completions`],
        model: 'm',
        circuit: { failureThreshold: 2 },
      });
      for (let i = 0; i < 4; i++) {
        const error = await failure(client.generate({ messages: USER }));
        expect(error).toMatchObject({ code: 'INVALID_RESPONSE', details: { status: 500, attempts: 1 } });
        expect(error.message).toContain('server itself is healthy');
      }
      expect(posts(emu)).toHaveLength(4);
      const health = await client.checkHealth();
      expect(health.state).toBe('up');
      expect(health.replicas[0]).toMatchObject({ circuit: 'closed', consecutiveFailures: 0 });
    });

    it('reports "tools param requires --jinja flag" as a request problem naming the fix, without retries', async () => {
      const emu = await server();
      emu.script({
        kind: 'error',
        status: 500,
        body: errorBodies.llamaCpp('tools param requires --jinja flag', 500, 'server_error'),
      });
      const client = clients.create({ urls: [`${emu.url}/v1/chat/completions`], model: 'm' });
      const error = await failure(client.generate({ messages: USER }));
      expect(error.code).toBe('CONFIG');
      expect(error.message).toContain('start llama-server with --jinja');
      expect(posts(emu)).toHaveLength(1);
    });

    it('still retries and counts a genuine server 500', async () => {
      const emu = await server();
      emu.setHandler(() => ({
        kind: 'error',
        status: 500,
        body: errorBodies.llamaCpp('CUDA error', 500, 'server_error'),
      }));
      const client = clients.create({ urls: [`${emu.url}/v1/chat/completions`], model: 'm', maxRetries: 1 });
      const error = await failure(client.generate({ messages: USER }));
      expect(error).toMatchObject({ code: 'UPSTREAM_ERROR', details: { attempts: 2 } });
      expect((await client.checkHealth()).replicas[0]?.consecutiveFailures).toBe(2);
    });
  });

  describe('queueing behind the server slots', () => {
    const burst = (client: ModelClient, n: number) =>
      Promise.all(
        Array.from({ length: n }, () =>
          client.generate({ messages: USER, onToken: () => undefined }).then(
            () => 'ok',
            (error: InferenceError) => error,
          ),
        ),
      );

    it('does not open the circuit when queued calls pass the first-token deadline (honest TIMEOUT, no retry)', async () => {
      const emu = await server({ slots: 2, delayMs: 300 });
      const client = clients.create({
        urls: [`${emu.url}/v1/chat/completions`],
        model: 'm',
        timeoutMs: 10_000,
        deadlines: { firstTokenMs: 500 },
        circuit: { failureThreshold: 2, halfOpenAfterMs: 60_000 },
      });
      const outcomes = await burst(client, 12);
      const errors = outcomes.filter((o): o is InferenceError => o !== 'ok');
      expect(outcomes.filter((o) => o === 'ok').length).toBeGreaterThanOrEqual(2);
      expect(errors.length).toBeGreaterThan(0);
      for (const error of errors) {
        expect(error).toMatchObject({ code: 'TIMEOUT', details: { phase: 'first-token', serverBusy: true } });
        expect(error.message).toContain('MODEL_FIRST_TOKEN_SECONDS');
      }
      expect(posts(emu)).toHaveLength(12);
      expect((await client.checkHealth()).replicas[0]).toMatchObject({ circuit: 'closed', state: 'up' });
    });

    it('lets every call through when the in-flight limit matches the slots; the queue is sized apart', async () => {
      const emu = await server({ slots: 2, delayMs: 100 });
      const client = clients.create({
        urls: [`${emu.url}/v1/chat/completions`],
        model: 'm',
        timeoutMs: 20_000,
        maxConcurrency: 2,
        deadlines: { firstTokenMs: 500 },
      });
      const outcomes = await burst(client, 16);
      expect(outcomes.every((o) => o === 'ok')).toBe(true);
    });
  });

  describe('readiness with an API key', () => {
    it('is down with a clear reason when the key is refused, although /health answers 200', async () => {
      const emu = await server({ apiKey: 'right-key' });
      const wrong = clients.create({ urls: [`${emu.url}/v1/chat/completions`], model: 'm', apiKey: 'wrong' });
      const health = await wrong.checkHealth();
      expect(health.state).toBe('down');
      expect(health.replicas[0]?.lastError).toContain(
        '401 from /v1/models: the key was refused — check STARCODER_API_KEY',
      );
      const none = clients.create({ urls: [`${emu.url}/v1/chat/completions`], model: 'm' });
      expect((await none.checkHealth()).replicas[0]?.lastError).toContain('no key was sent');
      const right = clients.create({
        urls: [`${emu.url}/v1/chat/completions`],
        model: 'm',
        apiKey: 'right-key',
      });
      expect((await right.checkHealth()).state).toBe('up');
    });
  });
});

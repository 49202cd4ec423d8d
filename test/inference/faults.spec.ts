import type { InferenceError } from '@app/inference';
import { emulatorFaults, errorBodies } from '@app/testing';
import { useEmulatorAndClients, USER, recordingClock, rejectionOf } from './helpers';

/** Every injected fault, per adapter, asserting what the caller sees and what reached the server. */
describe('fault handling', () => {
  const fixture = useEmulatorAndClients();
  const { clients } = fixture;

  const postCount = () => fixture.emu.requests.filter((r) => r.method === 'POST').length;
  const failure = async (promise: Promise<unknown>) => (await rejectionOf(promise)) as InferenceError;

  const adapters = [
    { name: 'local-models', path: '/chat', streams: false },
    { name: 'openai-chat', path: '/v1/chat/completions', streams: true },
    { name: 'openai-completions', path: '/v1/completions', streams: true },
  ];

  describe.each(adapters)('$name', ({ path, streams }) => {
    const url = () => `${fixture.emu.url}${path}`;

    it('retries a 5xx burst and succeeds, counting the attempts', async () => {
      const client = clients.create({ urls: [url()], model: 'm' });
      fixture.emu.script(emulatorFaults.serverErrors(2));
      const result = await client.generate({ messages: USER });
      expect(result.attempts).toBe(3);
      expect(result.text).toContain('write fizzbuzz in python');
      expect(postCount()).toBe(3);
    });

    it('gives up after MODEL_MAX_RETRIES with the status and the upstream message', async () => {
      const client = clients.create({ urls: [url()], model: 'm', maxRetries: 2 });
      fixture.emu.script(
        emulatorFaults.serverErrors(
          3,
          500,
          errorBodies.vllm('CUDA out of memory', 'InternalServerError', 500),
        ),
      );
      const error = await failure(client.generate({ messages: USER }));
      expect(error).toMatchObject({
        code: 'UPSTREAM_ERROR',
        details: { status: 500, attempts: 3, upstreamMessage: 'CUDA out of memory' },
      });
      expect(error.message).toContain(url());
      expect(error.message).toContain('answered 500: "CUDA out of memory"');
      expect(error.message).toContain('check its logs');
      expect(postCount()).toBe(3);
    });

    it('honours Retry-After on 429 and then succeeds', async () => {
      const clock = recordingClock();
      const client = clients.create({ urls: [url()], model: 'm', clock });
      fixture.emu.script(emulatorFaults.rateLimited(2));
      const result = await client.generate({ messages: USER });
      expect(result.attempts).toBe(2);
      expect(clock.sleeps).toEqual([2000]);
    });

    it('reports RATE_LIMITED with the wait when Retry-After exceeds the remaining time', async () => {
      const client = clients.create({ urls: [url()], model: 'm', timeoutMs: 1_000 });
      fixture.emu.script(emulatorFaults.rateLimited(30));
      const error = await failure(client.generate({ messages: USER }));
      expect(error).toMatchObject({ code: 'RATE_LIMITED', details: { status: 429, retryAfterMs: 30_000 } });
      expect(error.message).toContain('Retry-After 30 s');
      expect(error.message).toContain('Model is overloaded');
      expect(postCount()).toBe(1);
    });

    it('times out a hang (total deadline) and closes the upstream request', async () => {
      const client = clients.create({ urls: [url()], model: 'm', timeoutMs: 300 });
      fixture.emu.script(emulatorFaults.hang());
      const error = await failure(client.generate({ messages: USER }));
      expect(error).toMatchObject({ code: 'TIMEOUT', details: { phase: 'total' } });
      expect(error.message).toContain('MODEL_TIMEOUT_SECONDS');
      await fixture.emu.waitForAborts(1);
    });

    it('answers INVALID_RESPONSE on malformed JSON, without retrying', async () => {
      const client = clients.create({ urls: [url()], model: 'm' });
      fixture.emu.script(emulatorFaults.malformed());
      const error = await failure(client.generate({ messages: USER }));
      expect(error.code).toBe('INVALID_RESPONSE');
      expect(error.message).toContain('not JSON');
      expect(error.message).toContain('unterminated');
      expect(postCount()).toBe(1);
    });

    it('retries a connection reset before any output', async () => {
      const client = clients.create({ urls: [url()], model: 'm' });
      fixture.emu.script(emulatorFaults.reset());
      const result = await client.generate({ messages: USER });
      expect(result.attempts).toBe(2);
    });

    it('reports a reset on every attempt as UPSTREAM_ERROR naming the endpoint', async () => {
      const client = clients.create({ urls: [url()], model: 'm', maxRetries: 1 });
      fixture.emu.script(emulatorFaults.reset(), emulatorFaults.reset());
      const error = await failure(client.generate({ messages: USER }));
      expect(error.code).toBe('UPSTREAM_ERROR');
      expect(error.message).toMatch(/connection to code model at .* failed before any output/);
      expect(error.details).toMatchObject({ attempts: 2, partialOutput: false });
    });

    if (!streams) return;

    it('times out the wait for the first token, retries, and aborts the hung request', async () => {
      const client = clients.create({ urls: [url()], model: 'm' });
      fixture.emu.script(emulatorFaults.hang());
      const result = await client.generate({ messages: USER, onToken: () => undefined });
      expect(result.attempts).toBe(2);
      await fixture.emu.waitForAborts(1);
    });

    it('reports a first-token TIMEOUT when no retries are left', async () => {
      const client = clients.create({ urls: [url()], model: 'm', maxRetries: 0 });
      fixture.emu.script(emulatorFaults.hang());
      const error = await failure(client.generate({ messages: USER, onToken: () => undefined }));
      expect(error).toMatchObject({
        code: 'TIMEOUT',
        details: { phase: 'first-token', partialOutput: false },
      });
      expect(error.message).toContain('sent no first token for 600 ms');
    });

    it('times out a slow trickle on the idle gap, without retrying after output', async () => {
      // generous first-token deadline so only the idle gap (200 ms vs 600 ms) can fire, even on a busy machine
      const client = clients.create({
        urls: [url()],
        model: 'm',
        deadlines: { firstTokenMs: 10_000, idleMs: 200 },
      });
      fixture.emu.script(emulatorFaults.trickle(['a', 'b', 'c'], 600));
      const tokens: string[] = [];
      const error = await failure(client.generate({ messages: USER, onToken: (t) => tokens.push(t) }));
      expect(error).toMatchObject({
        code: 'TIMEOUT',
        details: { phase: 'idle', partialOutput: true, attempts: 1 },
      });
      expect(tokens).toEqual(['a']);
      expect(postCount()).toBe(1);
      await fixture.emu.waitForAborts(1);
    });

    it('passes a slow trickle within the idle gap', async () => {
      const client = clients.create({
        urls: [url()],
        model: 'm',
        deadlines: { firstTokenMs: 10_000, idleMs: 1_000 },
      });
      fixture.emu.script(emulatorFaults.trickle(['a', 'b', 'c'], 20));
      const result = await client.generate({ messages: USER, onToken: () => undefined });
      expect(result.text).toBe('abc');
    });

    it('fails a stream cut after output without retrying (no duplicated output)', async () => {
      const client = clients.create({ urls: [url()], model: 'm' });
      fixture.emu.script(emulatorFaults.truncate(3, ['x', 'y', 'z', 'w']));
      const tokens: string[] = [];
      const error = await failure(client.generate({ messages: USER, onToken: (t) => tokens.push(t) }));
      expect(error).toMatchObject({ code: 'UPSTREAM_ERROR', details: { partialOutput: true, attempts: 1 } });
      expect(error.retryable).toBe(false);
      expect(tokens.length).toBeGreaterThan(0);
      expect(postCount()).toBe(1);
    });

    it('fails a stream that ends cleanly without [DONE] or a finish reason', async () => {
      const client = clients.create({ urls: [url()], model: 'm', maxRetries: 0 });
      fixture.emu.script(emulatorFaults.truncate(2, ['x', 'y', 'z'], true));
      const error = await failure(client.generate({ messages: USER, onToken: () => undefined }));
      expect(error.code).toBe('UPSTREAM_ERROR');
      expect(error.message).toContain('ended without [DONE]');
    });

    it('retries a stream cut before any token', async () => {
      const client = clients.create({ urls: [url()], model: 'm' });
      fixture.emu.script(emulatorFaults.truncate(0));
      const result = await client.generate({ messages: USER, onToken: () => undefined });
      expect(result.attempts).toBe(2);
    });

    it('surfaces a mid-stream error event with the upstream message', async () => {
      const client = clients.create({ urls: [url()], model: 'm' });
      fixture.emu.script(
        emulatorFaults.streamError(2, { message: 'KV cache exhausted', type: 'InternalServerError' }, [
          'a',
          'b',
          'c',
        ]),
      );
      const error = await failure(client.generate({ messages: USER, onToken: () => undefined }));
      expect(error).toMatchObject({
        code: 'UPSTREAM_ERROR',
        details: { upstreamMessage: 'KV cache exhausted', partialOutput: true },
      });
      expect(error.message).toContain('mid-stream');
      expect(postCount()).toBe(1);
    });

    it('fails a malformed stream event with INVALID_RESPONSE', async () => {
      const client = clients.create({ urls: [url()], model: 'm' });
      fixture.emu.script(emulatorFaults.malformed());
      const error = await failure(client.generate({ messages: USER, onToken: () => undefined }));
      expect(error.code).toBe('INVALID_RESPONSE');
      expect(error.message).toContain('stream event that is not JSON');
    });

    it('fails a reset mid-stream as partial output', async () => {
      const client = clients.create({ urls: [url()], model: 'm' });
      fixture.emu.script(emulatorFaults.reset(2, ['a', 'b', 'c']));
      const error = await failure(client.generate({ messages: USER, onToken: () => undefined }));
      expect(error).toMatchObject({ code: 'UPSTREAM_ERROR', details: { partialOutput: true } });
      expect(error.message).toContain('mid-stream');
    });
  });

  describe('upstream error shapes', () => {
    const url = () => `${fixture.emu.url}/v1/chat/completions`;
    const shapes = [
      [
        'vLLM',
        400,
        errorBodies.vllm('maximum context length is 8192 tokens'),
        'maximum context length is 8192 tokens',
      ],
      [
        'vLLM (legacy flat)',
        400,
        errorBodies.vllmLegacy('temperature must be >= 0'),
        'temperature must be >= 0',
      ],
      [
        'TGI',
        422,
        errorBodies.tgi('Input validation error: inputs too long', 'validation'),
        'Input validation error: inputs too long',
      ],
      [
        'llama.cpp',
        400,
        errorBodies.llamaCpp('the request exceeds the available context size', 400, 'invalid_request_error'),
        'the request exceeds the available context size',
      ],
      [
        'Ollama',
        400,
        errorBodies.ollama('model "llama9" not found, try pulling it first'),
        'model "llama9" not found, try pulling it first',
      ],
      ['FastAPI', 422, errorBodies.fastapi('messages: field required'), 'messages: field required'],
      [
        'FastAPI validation list',
        422,
        { detail: [{ loc: ['body'], msg: 'field required' }] },
        'field required',
      ],
      ['plain text', 400, 'Bad Request: nope', 'Bad Request: nope'],
    ] as const;

    it.each(shapes)('parses %s errors without retrying a 4xx', async (_name, status, body, message) => {
      const client = clients.create({ urls: [url()], model: 'm' });
      fixture.emu.script({ kind: 'error', status, body });
      const error = await failure(client.generate({ messages: USER }));
      expect(error).toMatchObject({ code: 'UPSTREAM_ERROR', details: { status, upstreamMessage: message } });
      expect(error.message).toContain(`answered ${status}: "${message}"`);
      expect(error.message).toContain('context window');
      expect(postCount()).toBe(1);
    });

    it('retries llama.cpp 503 "Loading model" and TGI 429 overloaded', async () => {
      const client = clients.create({ urls: [url()], model: 'm', clock: recordingClock() });
      fixture.emu.script(
        { kind: 'error', status: 503, body: errorBodies.llamaCpp('Loading model') },
        { kind: 'error', status: 429, body: errorBodies.tgi('Model is overloaded') },
      );
      expect((await client.generate({ messages: USER })).attempts).toBe(3);
    });

    it('retries 408 from a proxy', async () => {
      const client = clients.create({ urls: [url()], model: 'm' });
      fixture.emu.script({ kind: 'error', status: 408, body: 'Request Timeout' });
      expect((await client.generate({ messages: USER })).attempts).toBe(2);
    });

    it('maps 401 to CONFIG naming the API key variable', async () => {
      const client = clients.create({ urls: [url()], model: 'm', role: 'planner' });
      fixture.emu.script({
        kind: 'error',
        status: 401,
        body: errorBodies.vllm('Unauthorized', 'AuthenticationError', 401),
      });
      const error = await failure(client.generate({ messages: USER }));
      expect(error.code).toBe('CONFIG');
      expect(error.message).toContain('MISTRAL_API_KEY');
    });

    it('maps 404 to CONFIG naming the endpoint, protocol and model variables', async () => {
      const client = clients.create({ urls: [url()], model: 'missing' });
      fixture.emu.script({
        kind: 'error',
        status: 404,
        body: errorBodies.vllm('The model `missing` does not exist.', 'NotFoundError', 404),
      });
      const error = await failure(client.generate({ messages: USER }));
      expect(error.code).toBe('CONFIG');
      expect(error.message).toContain('STARCODER_ENDPOINT');
      expect(error.message).toContain('The model `missing` does not exist.');
    });

    it('reports an unexpected JSON answer shape as INVALID_RESPONSE', async () => {
      const client = clients.create({ urls: [`${fixture.emu.url}/chat`] });
      fixture.emu.setHandler(() => ({ kind: 'error', status: 200, body: { answer: 'wrong field' } }));
      const error = await failure(client.generate({ messages: USER }));
      expect(error.code).toBe('INVALID_RESPONSE');
      expect(error.message).toContain('no "response" string');
      fixture.emu.setHandler(undefined);
    });
  });
});

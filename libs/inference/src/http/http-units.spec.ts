import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { jest } from '@jest/globals';
import { startModelServerEmulator } from '@app/testing';
import { Pool } from 'undici';
import { createModelClient } from '../create-model-client';
import { InferenceError } from '../inference.errors';
import { AsyncQueue } from './async-queue';
import { systemClock } from './clock';
import { detectProtocol, resolveEndpoint } from './endpoint';
import { HttpModelClient, type PoolSettings } from './http-model-client';
import { errorFromTransport, parseRetryAfter, upstreamMessageOf } from './upstream-errors';
import { finishReasonOf, usageOf } from './wire';

describe('protocol detection and routes', () => {
  it.each([
    ['http://gpu:8003/chat', 'local-models'],
    ['http://gpu:8000/v1/chat/completions', 'openai-chat'],
    ['http://gpu:8000/v1/completions/', 'openai-completions'],
    ['http://gpu:8000/v1', 'openai-chat'],
    ['http://gpu:11434', 'openai-chat'],
  ])('%s → %s', (url, protocol) => {
    expect(detectProtocol(url)).toBe(protocol);
  });

  it('derives the generate, models and health routes, keeping a proxy prefix', () => {
    expect(resolveEndpoint('http://h:8080/proxy/v1/chat/completions', 'openai-completions')).toEqual({
      url: 'http://h:8080/proxy/v1/chat/completions',
      origin: 'http://h:8080',
      generatePath: '/proxy/v1/completions',
      modelsPath: '/proxy/v1/models',
      healthPaths: ['/health', '/proxy/v1/models'],
    });
    expect(resolveEndpoint('http://h:8080', 'openai-chat').generatePath).toBe('/v1/chat/completions');
    expect(resolveEndpoint('http://h:8001/', 'local-models').generatePath).toBe('/chat');
    expect(resolveEndpoint('http://h:8001/api/generate', 'local-models').generatePath).toBe('/api/generate');
  });

  it('rejects a malformed URL with CONFIG', () => {
    expect(() => detectProtocol('::')).toThrow(InferenceError);
  });
});

describe('upstream error parsing', () => {
  it('reads Retry-After as seconds or an HTTP date', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter(['0.5'])).toBe(500);
    expect(
      parseRetryAfter('Wed, 21 Oct 2026 07:28:10 GMT', Date.parse('Wed, 21 Oct 2026 07:28:00 GMT')),
    ).toBe(10_000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(undefined)).toBeUndefined();
    expect(parseRetryAfter(' ')).toBeUndefined();
  });

  it('finds the message in every known shape and trims long text', () => {
    expect(upstreamMessageOf({ error: { message: 'a' } })).toBe('a');
    expect(upstreamMessageOf({ object: 'error', message: 'b' })).toBe('b');
    expect(upstreamMessageOf({ detail: [{ msg: 'c' }, { msg: 'd' }] })).toBe('c; d');
    expect(upstreamMessageOf({ other: 1 })).toBeUndefined();
    expect(upstreamMessageOf(42)).toBeUndefined();
    expect(upstreamMessageOf('')).toBeUndefined();
    expect(upstreamMessageOf('x'.repeat(500))?.length).toBe(301);
  });

  it('maps a connect timeout to TIMEOUT (connect phase) and unknown errors to UPSTREAM_ERROR', () => {
    const ctx = { role: 'planner' as const, url: 'http://h/v1/chat/completions' };
    const timeout = errorFromTransport(
      ctx,
      Object.assign(new Error('Connect Timeout'), { code: 'UND_ERR_CONNECT_TIMEOUT' }),
      false,
    );
    expect(timeout).toMatchObject({ code: 'TIMEOUT', details: { phase: 'connect' } });
    expect(timeout.retryable).toBe(true);
    const odd = errorFromTransport(ctx, 'weird', true);
    expect(odd).toMatchObject({ code: 'UPSTREAM_ERROR', details: { partialOutput: true } });
    expect(odd.message).toContain('planner model');
    expect(odd.retryable).toBe(false);
  });

  it('says which failures may be retried', () => {
    const error = (code: InferenceError['code'], details = {}) => new InferenceError(code, 'x', details);
    expect(error('UPSTREAM_ERROR', { status: 400 }).retryable).toBe(false);
    expect(error('UPSTREAM_ERROR', { status: 502 }).retryable).toBe(true);
    expect(error('TIMEOUT', { phase: 'total' }).retryable).toBe(false);
    expect(error('CONFIG').retryable).toBe(false);
  });
});

describe('wire helpers', () => {
  it('normalises finish reasons and usage', () => {
    expect(finishReasonOf('eos_token')).toBe('stop');
    expect(finishReasonOf('function_call')).toBe('tool_calls');
    expect(finishReasonOf('abort')).toBe('unknown');
    expect(finishReasonOf(null)).toBeUndefined();
    expect(usageOf({ prompt_tokens: 1, completion_tokens: 2 })).toEqual({
      promptTokens: 1,
      completionTokens: 2,
      totalTokens: 3,
    });
    expect(usageOf({ prompt_tokens: 1 })).toBeUndefined();
  });
});

describe('AsyncQueue', () => {
  it('delivers buffered and awaited items in order, then ends', async () => {
    const queue = new AsyncQueue<number>();
    queue.push(1);
    const iterator = queue[Symbol.asyncIterator]();
    expect(await iterator.next()).toEqual({ value: 1, done: false });
    const waiting = iterator.next();
    queue.push(2);
    expect(await waiting).toEqual({ value: 2, done: false });
    const ended = iterator.next();
    queue.end();
    queue.push(3);
    expect(await ended).toEqual({ value: undefined, done: true });
    expect(await iterator.next()).toEqual({ value: undefined, done: true });
  });

  it('rejects the waiting and later reads after a failure', async () => {
    const queue = new AsyncQueue<number>();
    const iterator = queue[Symbol.asyncIterator]();
    const waiting = iterator.next();
    queue.fail('boom');
    await expect(waiting).rejects.toThrow('boom');
    await expect(iterator.next()).rejects.toThrow('boom');
    queue.fail(new Error('ignored after the end'));
  });
});

describe('systemClock', () => {
  it('sleeps, and stops sleeping when the signal aborts', async () => {
    await systemClock.sleep(1);
    const controller = new AbortController();
    const sleeping = systemClock.sleep(10_000, controller.signal);
    controller.abort(new Error('stop'));
    await expect(sleeping).rejects.toThrow('stop');
    await expect(systemClock.sleep(1, AbortSignal.abort(new Error('already')))).rejects.toThrow('already');
  });

  it('fires and refreshes timers', async () => {
    const fired = jest.fn();
    const timer = systemClock.timer(20, fired);
    timer.refresh();
    await systemClock.sleep(40);
    expect(fired).toHaveBeenCalledTimes(1);
    timer.cancel();
  });
});

describe('injected dispatcher and pool settings', () => {
  it('builds one pool per replica with explicit size and a keep-alive below 5 s', async () => {
    const emu = await startModelServerEmulator();
    const pools: Array<[string, PoolSettings]> = [];
    const client = createModelClient({
      role: 'code',
      urls: [`${emu.url}/chat`, `${emu.url}/chat?replica=2`],
      protocol: 'auto',
      dispatcherFactory: (origin, pool) => {
        pools.push([origin, pool]);
        return new Pool(origin, { connections: pool.connections });
      },
    });
    try {
      expect(pools).toHaveLength(2);
      expect(pools[0]).toEqual([
        emu.url,
        { connections: 256, keepAliveTimeoutMs: 4_000, connectTimeoutMs: 5_000 },
      ]);
      expect((await client.generate({ messages: [{ role: 'user', content: 'hi' }] })).text).toBe('Echo: hi');
      expect((client as HttpModelClient).currentHealth()).toMatchObject({
        state: 'up',
        protocol: 'local-models',
      });
    } finally {
      await client.close();
      await emu.close();
    }
  });
});

describe('model name lookup shared by concurrent calls', () => {
  const answer = (res: ServerResponse, body: unknown) =>
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));

  it('a caller cancelling during the /v1/models lookup does not fail the calls waiting on the same lookup', async () => {
    const server = createServer((req, res) => {
      if (req.url === '/v1/models') return void setTimeout(() => answer(res, { data: [{ id: 'm' }] }), 300);
      req
        .resume()
        .on('end', () =>
          answer(res, { model: 'm', choices: [{ message: { content: 'ok' }, finish_reason: 'stop' }] }),
        );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const client = createModelClient({
      role: 'code',
      urls: [`http://127.0.0.1:${port}/v1/chat/completions`],
      protocol: 'auto',
    });
    try {
      const messages = [{ role: 'user' as const, content: 'hi' }];
      const first = new AbortController();
      const cancelled = client.generate({ messages, signal: first.signal });
      const other = client.generate({ messages });
      setTimeout(() => first.abort(), 50);
      await expect(cancelled).rejects.toMatchObject({ code: 'CANCELLED' });
      await expect(other).resolves.toMatchObject({ text: 'ok', model: 'm' });
    } finally {
      await client.close();
      server.closeAllConnections();
      server.close();
    }
  });
});

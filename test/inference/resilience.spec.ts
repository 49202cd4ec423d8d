import { setMaxListeners } from 'node:events';
import { InferenceEvents, type InferenceCallFinished, type InferenceError } from '@app/inference';
import { emulatorFaults, startModelServerEmulator } from '@app/testing';
import { useEmulatorAndClients, USER, deadUrl, rejectionOf } from './helpers';

/** Cancellation, circuit breaking, failover, pooling and concurrency, seen from the caller and the server. */
describe('resilience', () => {
  const fixture = useEmulatorAndClients();
  const { clients } = fixture;

  const chatUrl = () => `${fixture.emu.url}/v1/chat/completions`;
  const postCount = (server = fixture.emu) => server.requests.filter((r) => r.method === 'POST').length;
  const failure = async (promise: Promise<unknown>) => (await rejectionOf(promise)) as InferenceError;

  describe('cancellation', () => {
    it('closes the upstream socket while waiting for the first token → CANCELLED', async () => {
      const client = clients.create({ urls: [chatUrl()], model: 'm', deadlines: { firstTokenMs: 10_000 } });
      fixture.emu.script(emulatorFaults.hang());
      const controller = new AbortController();
      const pending = client.generate({
        messages: USER,
        signal: controller.signal,
        onToken: () => undefined,
      });
      await fixture.emu.waitForRequests(1);
      controller.abort();
      const error = await failure(pending);
      expect(error.code).toBe('CANCELLED');
      expect(error.message).toContain('cancelled by the caller');
      await fixture.emu.waitForAborts(1);
      expect(postCount()).toBe(1);
    });

    it('closes the upstream socket mid-stream and keeps the partial flag', async () => {
      const client = clients.create({
        urls: [chatUrl()],
        model: 'm',
        deadlines: { firstTokenMs: 10_000, idleMs: 10_000 },
      });
      fixture.emu.script(emulatorFaults.trickle(['a', 'b', 'c', 'd', 'e'], 100));
      const controller = new AbortController();
      const error = await failure(
        client.generate({ messages: USER, signal: controller.signal, onToken: () => controller.abort() }),
      );
      expect(error).toMatchObject({ code: 'CANCELLED', details: { partialOutput: true } });
      await fixture.emu.waitForAborts(1);
    });

    it('closes the upstream socket for a non-streamed local-models call', async () => {
      const client = clients.create({ urls: [`${fixture.emu.url}/chat`] });
      fixture.emu.script(emulatorFaults.hang());
      const controller = new AbortController();
      const pending = client.generate({ messages: USER, signal: controller.signal });
      await fixture.emu.waitForRequests(1);
      controller.abort();
      expect((await failure(pending)).code).toBe('CANCELLED');
      await fixture.emu.waitForAborts(1);
    });

    it('cancels during a backoff sleep without another attempt', async () => {
      const client = clients.create({
        urls: [chatUrl()],
        model: 'm',
        timeoutMs: 20_000,
        retry: { initialDelayMs: 5_000, maxDelayMs: 5_000 },
      });
      fixture.emu.script(emulatorFaults.serverErrors(1));
      const controller = new AbortController();
      const pending = client.generate({ messages: USER, signal: controller.signal });
      await fixture.emu.waitForRequests(1);
      await new Promise((resolve) => setTimeout(resolve, 30));
      const started = performance.now();
      controller.abort();
      expect((await failure(pending)).code).toBe('CANCELLED');
      expect(performance.now() - started).toBeLessThan(1_500);
      expect(postCount()).toBe(1);
    });

    it('rejects at once when the signal is already aborted', async () => {
      const client = clients.create({ urls: [chatUrl()], model: 'm' });
      const error = await failure(client.generate({ messages: USER, signal: AbortSignal.abort() }));
      expect(error.code).toBe('CANCELLED');
      expect(postCount()).toBe(0);
    });

    it('aborts the upstream when a stream() consumer stops early', async () => {
      const client = clients.create({
        urls: [chatUrl()],
        model: 'm',
        deadlines: { firstTokenMs: 10_000, idleMs: 10_000 },
      });
      fixture.emu.script(emulatorFaults.trickle(['a', 'b', 'c', 'd'], 100));
      const seen: string[] = [];
      for await (const event of client.stream({ messages: USER })) {
        if (event.type === 'token') seen.push(event.text);
        break;
      }
      expect(seen).toEqual(['a']);
      await fixture.emu.waitForAborts(1);
    });

    it('propagates an exception thrown by onToken and closes the stream', async () => {
      const client = clients.create({
        urls: [chatUrl()],
        model: 'm',
        deadlines: { firstTokenMs: 10_000, idleMs: 10_000 },
      });
      fixture.emu.script(emulatorFaults.trickle(['a', 'b', 'c'], 100));
      const thrown = new Error('consumer broke');
      const error = await rejectionOf(
        client.generate({
          messages: USER,
          onToken: () => {
            throw thrown;
          },
        }),
      );
      expect(error).toBe(thrown);
      await fixture.emu.waitForAborts(1);
    });

    it('stream() propagates errors to the iterating caller', async () => {
      const client = clients.create({ urls: [chatUrl()], model: 'm', maxRetries: 0 });
      fixture.emu.script(emulatorFaults.serverErrors(1));
      await expect(async () => {
        for await (const _event of client.stream({ messages: USER })) {
          // drain
        }
      }).rejects.toMatchObject({ code: 'UPSTREAM_ERROR' });
    });
  });

  describe('circuit breaker', () => {
    it('opens after consecutive failures, fails fast without calling, then half-opens and closes', async () => {
      const client = clients.create({
        urls: [chatUrl()],
        model: 'm',
        maxRetries: 0,
        circuit: { failureThreshold: 3, halfOpenAfterMs: 600 },
      });
      fixture.emu.script(emulatorFaults.serverErrors(3));
      for (let i = 0; i < 3; i += 1)
        expect((await failure(client.generate({ messages: USER }))).code).toBe('UPSTREAM_ERROR');
      const open = await failure(client.generate({ messages: USER }));
      expect(open.code).toBe('CIRCUIT_OPEN');
      expect(open.message).toContain('all 1 replica(s) are failing');
      expect(open.message).toContain('answered 503');
      expect(postCount()).toBe(3);
      expect((await client.checkHealth()).replicas[0]).toMatchObject({
        circuit: 'open',
        state: 'down',
        consecutiveFailures: 3,
      });

      await new Promise((resolve) => setTimeout(resolve, 650));
      expect((await client.checkHealth()).replicas[0]?.circuit).toBe('half-open');
      const recovered = await client.generate({ messages: USER });
      expect(recovered.attempts).toBe(1);
      expect((await client.checkHealth()).replicas[0]).toMatchObject({ circuit: 'closed', state: 'up' });
    });

    it('re-opens when the half-open test call fails', async () => {
      const client = clients.create({
        urls: [chatUrl()],
        model: 'm',
        maxRetries: 0,
        circuit: { failureThreshold: 1, halfOpenAfterMs: 500 },
      });
      fixture.emu.script(emulatorFaults.serverErrors(2));
      await failure(client.generate({ messages: USER }));
      await new Promise((resolve) => setTimeout(resolve, 550));
      expect((await failure(client.generate({ messages: USER }))).code).toBe('UPSTREAM_ERROR');
      expect((await failure(client.generate({ messages: USER }))).code).toBe('CIRCUIT_OPEN');
      expect(postCount()).toBe(2);
    });

    it('does not count client errors (4xx) against the replica', async () => {
      const client = clients.create({
        urls: [chatUrl()],
        model: 'm',
        circuit: { failureThreshold: 1, halfOpenAfterMs: 10_000 },
      });
      fixture.emu.script({ kind: 'error', status: 400, body: { error: { message: 'bad' } } });
      await failure(client.generate({ messages: USER }));
      expect((await client.generate({ messages: USER })).attempts).toBe(1);
    });
  });

  describe('replicas', () => {
    it('fails over to the second replica when the first refuses connections, without spending a retry', async () => {
      const dead = await deadUrl();
      const client = clients.create({ urls: [dead, chatUrl()], model: 'm', maxRetries: 0 });
      const result = await client.generate({ messages: USER });
      expect(result).toMatchObject({ endpoint: chatUrl(), attempts: 2 });
      const health = await client.checkHealth();
      expect(health.state).toBe('degraded');
      expect(health.replicas[0]).toMatchObject({ url: dead, state: 'down', consecutiveFailures: 1 });
      expect(health.replicas[0]?.lastError).toContain('health probe');
      expect(health.replicas[1]).toMatchObject({ state: 'up' });
    });

    it('tries the healthy replica first once one has failed', async () => {
      const second = await startModelServerEmulator();
      try {
        const client = clients.create({ urls: [chatUrl(), `${second.url}/v1/chat/completions`], model: 'm' });
        fixture.emu.script(emulatorFaults.serverErrors(1));
        expect((await client.generate({ messages: USER })).endpoint).toContain(String(second.port));
        for (let i = 0; i < 3; i += 1) await client.generate({ messages: USER });
        expect(postCount()).toBe(1);
        expect(postCount(second)).toBe(4);
      } finally {
        await clients.closeAll();
        await second.close();
      }
    });

    it('spreads concurrent calls over equal replicas', async () => {
      const second = await startModelServerEmulator({ delayMs: 30 });
      fixture.emu.setHandler(() => ({ text: 'one', delayMs: 30 }));
      try {
        const client = clients.create({ urls: [chatUrl(), `${second.url}/v1/chat/completions`], model: 'm' });
        await Promise.all(Array.from({ length: 8 }, () => client.generate({ messages: USER })));
        expect(postCount()).toBe(4);
        expect(postCount(second)).toBe(4);
      } finally {
        fixture.emu.setHandler(undefined);
        await clients.closeAll();
        await second.close();
      }
    });

    it('reports CONNECT failures with an actionable message when every replica is down', async () => {
      const client = clients.create({ urls: [await deadUrl('/chat')], maxRetries: 1 });
      const error = await failure(client.generate({ messages: USER }));
      expect(error.code).toBe('UPSTREAM_ERROR');
      expect(error.message).toMatch(
        /cannot connect to code model at .* \(ECONNREFUSED\) — is the server running and STARCODER_ENDPOINT right\?/,
      );
      expect(error.details.attempts).toBe(2);
    });
  });

  describe('pooling and concurrency', () => {
    it('reuses one keep-alive connection for sequential calls', async () => {
      const fresh = await startModelServerEmulator();
      try {
        const client = clients.create({ urls: [`${fresh.url}/v1/chat/completions`], model: 'm' });
        for (let i = 0; i < 5; i += 1) await client.generate({ messages: USER });
        for (let i = 0; i < 3; i += 1) await client.generate({ messages: USER, onToken: () => undefined });
        // undici returns a socket to the pool one tick after the body ends, so a call made in that very
        // tick may open a second one; without keep-alive this would be 8
        expect(fresh.connectionCount).toBeLessThanOrEqual(2);
        expect(new Set(fresh.requests.map((r) => r.remotePort)).size).toBe(fresh.connectionCount);
      } finally {
        await clients.closeAll();
        await fresh.close();
      }
    });

    it('closes idle sockets itself, before the server keep-alive timeout (uvicorn: 5 s)', async () => {
      const fresh = await startModelServerEmulator({ keepAliveTimeoutMs: 5_000 });
      try {
        const client = clients.create({
          urls: [`${fresh.url}/v1/chat/completions`],
          model: 'm',
          pool: { keepAliveTimeoutMs: 100 },
        });
        await client.generate({ messages: USER });
        await new Promise((resolve) => setTimeout(resolve, 250));
        await client.generate({ messages: USER });
        expect(fresh.connectionCount).toBe(2);
      } finally {
        await clients.closeAll();
        await fresh.close();
      }
    });

    it('lets 256 concurrent calls through at once (pool and bulkhead are large enough), and cancels them all', async () => {
      // answers are held back, so all 256 must be in flight together at the server
      const wide = await startModelServerEmulator({ delayMs: 30_000, record: false });
      try {
        const client = clients.create({
          urls: [`${wide.url}/v1/chat/completions`],
          model: 'm',
          timeoutMs: 60_000,
        });
        const controller = new AbortController();
        // one signal shared by 256 concurrent calls on purpose: each call listens to it until it ends
        setMaxListeners(256, controller.signal);
        const calls = Array.from({ length: 256 }, () =>
          client.generate({ messages: USER, signal: controller.signal }).catch((e: InferenceError) => e.code),
        );
        await wide.waitForRequests(256, 10_000);
        expect(wide.inFlight).toBe(256);
        expect(wide.connectionCount).toBe(256);
        controller.abort();
        expect(new Set(await Promise.all(calls))).toEqual(new Set(['CANCELLED']));
        await wide.waitForAborts(256, 10_000);
      } finally {
        await clients.closeAll();
        await wide.close();
      }
    });

    it('queues calls over MODEL_MAX_CONCURRENCY and rejects beyond the queue with RATE_LIMITED', async () => {
      fixture.emu.setHandler(() => ({ text: 'slow', delayMs: 500 }));
      const client = clients.create({ urls: [chatUrl()], model: 'm', maxConcurrency: 2, maxQueued: 1 });
      const calls = Array.from({ length: 4 }, () =>
        client.generate({ messages: USER }).then(
          () => 'ok',
          (e: InferenceError) => e,
        ),
      );
      await fixture.emu.waitForRequests(2);
      expect(fixture.emu.inFlight).toBe(2);
      const outcomes = await Promise.all(calls);
      fixture.emu.setHandler(undefined);
      expect(outcomes.filter((o) => o === 'ok')).toHaveLength(3);
      const rejected = outcomes.find((o) => o !== 'ok') as InferenceError;
      expect(rejected.code).toBe('RATE_LIMITED');
      expect(rejected.message).toContain('MODEL_MAX_CONCURRENCY');
    });

    it('cancels a call waiting in the bulkhead queue at once', async () => {
      fixture.emu.setHandler(() => ({ text: 'slow', delayMs: 300 }));
      const client = clients.create({ urls: [chatUrl()], model: 'm', maxConcurrency: 1 });
      const first = client.generate({ messages: USER });
      const controller = new AbortController();
      const queued = client.generate({ messages: USER, signal: controller.signal });
      await fixture.emu.waitForRequests(1);
      controller.abort();
      expect((await failure(queued)).code).toBe('CANCELLED');
      await first;
      fixture.emu.setHandler(undefined);
      expect(postCount()).toBe(1);
    });
  });

  describe('observer', () => {
    it('reports started and finished calls with latency, first token, retries and error code', async () => {
      const events = new InferenceEvents();
      const finished: InferenceCallFinished[] = [];
      const started: string[] = [];
      const unsubscribe = events.subscribe({
        callStarted: (e) => started.push(e.role),
        callFinished: (e) => finished.push(e),
      });
      events.subscribe({
        callFinished: () => {
          throw new Error('a broken observer must not break calls');
        },
      });
      const client = clients.create({ urls: [chatUrl()], model: 'm', observer: events, maxRetries: 1 });
      fixture.emu.script(emulatorFaults.serverErrors(1));
      await client.generate({ messages: USER, onToken: () => undefined });
      fixture.emu.script(emulatorFaults.serverErrors(2));
      await failure(client.generate({ messages: USER }));
      expect(started).toEqual(['code', 'code']);
      expect(finished[0]).toMatchObject({
        role: 'code',
        protocol: 'openai-chat',
        streamed: true,
        attempts: 2,
        retries: 1,
        endpoint: chatUrl(),
      });
      expect(finished[0]?.firstTokenMs).toBeGreaterThanOrEqual(0);
      expect(finished[0]?.latencyMs).toBeGreaterThanOrEqual(finished[0]?.firstTokenMs ?? 0);
      expect(finished[1]).toMatchObject({ errorCode: 'UPSTREAM_ERROR', attempts: 2, streamed: false });
      unsubscribe();
      await client.generate({ messages: USER });
      expect(finished).toHaveLength(2);
    });
  });
});

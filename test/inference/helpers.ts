import {
  createModelClient,
  systemClock,
  type Clock,
  type ModelClient,
  type ModelClientOptions,
} from '@app/inference';
import type { ChatMessage } from '@app/contracts';
import { createServer } from 'node:net';
import { startModelServerEmulator, type ModelServerEmulator } from '@app/testing';

export const USER: ChatMessage[] = [{ role: 'user', content: 'write fizzbuzz in python' }];

/** Short deadlines so fault tests stay fast; retries back off by ~1 ms. */
export const FAST: Partial<ModelClientOptions> = {
  timeoutMs: 3_000,
  maxRetries: 2,
  deadlines: { connectMs: 1_000, firstTokenMs: 600, idleMs: 400 },
  retry: { initialDelayMs: 1, maxDelayMs: 5 },
  circuit: { failureThreshold: 50, halfOpenAfterMs: 200 },
};

/** Creates clients and closes them all afterwards (pools hold sockets). */
export class ClientFactory {
  private readonly clients: ModelClient[] = [];

  create(options: Partial<ModelClientOptions> & Pick<ModelClientOptions, 'urls'>): ModelClient {
    const client = createModelClient({ role: 'code', protocol: 'auto', ...FAST, ...options });
    this.clients.push(client);
    return client;
  }

  async closeAll(): Promise<void> {
    await Promise.all(this.clients.splice(0).map((client) => client.close()));
  }
}

/** The suite's emulator (started once, reset after each test) and its clients (closed after each test). */
export function useEmulatorAndClients(): { readonly emu: ModelServerEmulator; clients: ClientFactory } {
  let started: ModelServerEmulator | undefined;
  const clients = new ClientFactory();
  beforeAll(async () => {
    started = await startModelServerEmulator();
  });
  afterEach(async () => {
    await clients.closeAll();
    started?.reset();
  });
  afterAll(() => started?.close());
  return {
    clients,
    get emu(): ModelServerEmulator {
      if (started === undefined) throw new Error('the emulator has not started (use it inside a test)');
      return started;
    },
  };
}

/** A clock whose sleeps return at once but are recorded: backoff and Retry-After become assertable. */
export function recordingClock(): Clock & { sleeps: number[] } {
  const sleeps: number[] = [];
  return {
    sleeps,
    now: systemClock.now,
    timer: systemClock.timer,
    sleep: (ms: number, signal?: AbortSignal) => {
      sleeps.push(ms);
      return signal?.aborted ? Promise.reject(signal.reason as Error) : Promise.resolve();
    },
  };
}

/** A URL on which nothing listens (connection refused). */
export async function deadUrl(path = '/v1/chat/completions'): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}${path}`;
}

export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject');
}

export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

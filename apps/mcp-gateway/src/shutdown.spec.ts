import { shutdownOnce, type ShutdownHost } from './shutdown';

function fakeHost() {
  const handlers = new Map<string, () => void>();
  const exits: number[] = [];
  const host: ShutdownHost = {
    onSignal: (signal, handler) => void handlers.set(signal, handler),
    exit: (code) => void exits.push(code),
  };
  const signal = (name: 'SIGTERM' | 'SIGINT') => handlers.get(name)?.();
  return { host, signal, exits };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('shutdownOnce', () => {
  it('stops once when stdin closes and a SIGTERM follows, exiting at once on the signal', async () => {
    const { host, signal, exits } = fakeHost();
    let stops = 0;
    const stdinClosed = shutdownOnce(() => {
      stops += 1;
      return new Promise<void>(() => undefined); // still draining
    }, host);
    stdinClosed();
    signal('SIGTERM');
    await settle();
    expect(stops).toBe(1);
    expect(exits).toEqual([1]);
  });

  it('exits 0 after a clean stop and 1 when stopping fails, without an unhandled rejection', async () => {
    const clean = fakeHost();
    shutdownOnce(() => Promise.resolve(), clean.host);
    clean.signal('SIGINT');
    const failing = fakeHost();
    shutdownOnce(() => Promise.reject(new Error('close failed')), failing.host)();
    await settle();
    expect(clean.exits).toEqual([0]);
    expect(failing.exits).toEqual([1]);
  });

  it('ignores stdin closing while a signal-started stop is running', async () => {
    const { host, signal, exits } = fakeHost();
    let stops = 0;
    const stdinClosed = shutdownOnce(() => {
      stops += 1;
      return Promise.resolve();
    }, host);
    signal('SIGTERM');
    stdinClosed();
    await settle();
    expect(stops).toBe(1);
    expect(exits).toEqual([0]);
  });
});

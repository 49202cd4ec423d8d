import type { InferenceError } from '@app/inference';
import type { EmulatorFault } from '@app/testing';
import { useEmulatorAndClients, USER, rejectionOf } from './helpers';

const MiB = 1024 * 1024;

/**
 * An upstream that sends without end — one 50 MiB SSE line, an endless event, an endless stream, a huge
 * JSON body or error body — ends the call with a clear error after a bounded read, and its socket is closed
 * (the emulator sees the request aborted), instead of being buffered whole.
 */
describe('byte caps on every upstream read', () => {
  const fixture = useEmulatorAndClients();
  const { clients } = fixture;

  const failure = async (promise: Promise<unknown>) => (await rejectionOf(promise)) as InferenceError;
  const chat = () =>
    clients.create({
      urls: [`${fixture.emu.url}/v1/chat/completions`],
      model: 'm',
      maxRetries: 0,
      timeoutMs: 60_000,
      // deadlines as in production: the caps, not a timer, must end these calls
      deadlines: { connectMs: 1_000, firstTokenMs: 30_000, idleMs: 30_000 },
    });
  const flood = (
    shape: Extract<EmulatorFault, { kind: 'flood' }>['shape'],
    bytes = 50 * MiB,
  ): EmulatorFault => ({
    kind: 'flood',
    shape,
    bytes,
  });

  it.each([
    ['one 50 MiB SSE line', 'sse-line', /SSE line/],
    ['one 50 MiB SSE event of many data lines', 'sse-event', /stream event/],
    ['a stream of small events that never ends', 'sse-answer', /answer/],
  ] as const)(
    '%s → INVALID_RESPONSE and the socket closed',
    async (_name, shape, message) => {
      fixture.emu.script(flood(shape));
      const error = await failure(chat().generate({ messages: USER, onToken: () => undefined }));
      expect(error.code).toBe('INVALID_RESPONSE');
      expect(error.message).toMatch(message);
      expect(error.message).toMatch(/MiB/);
      await fixture.emu.waitForAborts(1, 5_000);
    },
    60_000,
  );

  it('a 50 MiB JSON answer → INVALID_RESPONSE and the socket closed', async () => {
    fixture.emu.script(flood('body'));
    const error = await failure(chat().generate({ messages: USER }));
    expect(error).toMatchObject({ code: 'INVALID_RESPONSE', message: expect.stringMatching(/answer .*MiB/) });
    await fixture.emu.waitForAborts(1, 5_000);
  }, 60_000);

  it('a 50 MB error body is read only up to its cap (the status is the error)', async () => {
    fixture.emu.script(flood('error-body'));
    const error = await failure(chat().generate({ messages: USER }));
    expect(error.code).toBe('UPSTREAM_ERROR');
    expect(error.message.length).toBeLessThan(2_000);
    await fixture.emu.waitForAborts(1, 5_000);
  }, 60_000);

  it('five 50 MiB SSE lines at once: the process RSS stays bounded', async () => {
    const client = chat();
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
    fixture.emu.script(...Array.from({ length: 5 }, () => flood('sse-line')));
    const calls = Array.from({ length: 5 }, () =>
      failure(client.generate({ messages: USER, onToken: () => undefined })),
    );
    const errors = await Promise.all(calls);
    clearInterval(sampler);
    const growthMiB = (peak - before) / MiB;
    if (process.env.REPORT_RSS)
      process.stderr.write(`RSS growth over 5 × 50 MiB SSE lines: ${growthMiB.toFixed(0)} MiB\n`);
    expect(errors.map((e) => e.code)).toEqual(Array(5).fill('INVALID_RESPONSE'));
    // before the caps: +490 MiB in the gateway, ~110 MB per line
    expect(growthMiB).toBeLessThan(150);
  }, 120_000);
});

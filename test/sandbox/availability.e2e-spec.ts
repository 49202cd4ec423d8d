import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigValidationError } from '@app/config';
import {
  assertRequiredSandboxWorks,
  createCodeSandbox,
  SandboxError,
  type SandboxOptions,
} from '@app/sandbox';

const BASE: SandboxOptions = { mode: 'auto', timeoutSeconds: 5, memoryMb: 256, maxConcurrency: 1 };
const request = { language: 'python' as const, code: 'x = 1', tests: 'assert x == 1' };

/** Execution that cannot work says so in one sentence, and never runs anything unsandboxed. */
describe('sandbox availability', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'fake-bwrap-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('SANDBOX=off: unavailable with a sentence naming the setting; run refuses', async () => {
    const sandbox = createCodeSandbox({ ...BASE, mode: 'off' });
    expect(await sandbox.availability()).toEqual({
      available: false,
      driver: 'none',
      languages: [],
      reason:
        'Code execution is turned off (SANDBOX=off); set SANDBOX=auto or SANDBOX=bubblewrap to enable it.',
    });
    await expect(sandbox.run(request)).rejects.toMatchObject({
      code: 'SANDBOX_UNAVAILABLE',
      message: expect.stringContaining('SANDBOX=off'),
    });
  });

  it('no bwrap installed: says to install bubblewrap', async () => {
    const sandbox = createCodeSandbox({ ...BASE, bwrapPath: join(dir, 'missing-bwrap') });
    const availability = await sandbox.availability();
    expect(availability.available).toBe(false);
    expect(availability.reason).toMatch(
      /^Code execution is unavailable: bubblewrap is not installed .*apt-get install bubblewrap/,
    );
    await expect(sandbox.run(request)).rejects.toBeInstanceOf(SandboxError);
  });

  it('a bwrap that cannot create namespaces (a locked-down container): its own words and what to do', async () => {
    const fake = join(dir, 'bwrap');
    writeFileSync(fake, '#!/bin/sh\necho "bwrap: No permissions to create new namespace" >&2\nexit 1\n');
    chmodSync(fake, 0o755);
    const sandbox = createCodeSandbox({ ...BASE, bwrapPath: fake });
    const { reason } = await sandbox.availability();
    expect(reason).toBe(
      'Code execution is unavailable: bubblewrap cannot create a sandbox here (bwrap: No permissions to create new namespace) — ' +
        'allow user namespaces (in Docker see the README section "Code execution in Docker") or set SANDBOX=off.',
    );
    // SANDBOX=bubblewrap turns the same finding into a start failure (one line, exit 78 in the apps)
    const required = createCodeSandbox({ ...BASE, mode: 'bubblewrap', bwrapPath: fake });
    await expect(assertRequiredSandboxWorks(required, 'bubblewrap')).rejects.toThrow(ConfigValidationError);
    await expect(assertRequiredSandboxWorks(required, 'bubblewrap')).rejects.toThrow(
      /^Invalid configuration: SANDBOX=bubblewrap, but code execution is unavailable: bubblewrap cannot create a sandbox here/,
    );
  });

  it('the queue runs at most maxConcurrency at once and an aborted waiter leaves it', async () => {
    const sandbox = createCodeSandbox({ ...BASE, maxConcurrency: 1 });
    const slow = { language: 'python' as const, code: 'import time', tests: 'time.sleep(0.5)' };
    const first = sandbox.run(slow);
    const controller = new AbortController();
    const second = sandbox.run(slow, controller.signal);
    setTimeout(() => controller.abort(new Error('caller gave up')), 100);
    await expect(second).rejects.toThrow('caller gave up');
    const started = Date.now();
    expect((await first).status).toBe('passed');
    expect((await sandbox.run(request)).status).toBe('passed');
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

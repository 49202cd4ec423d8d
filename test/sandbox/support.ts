import { readdirSync, readFileSync } from 'node:fs';
import { createCodeSandbox, type CodeSandbox, type SandboxOptions } from '@app/sandbox';

/** A sandbox with short limits for tests; fails the suite at once if execution does not work here. */
export async function testSandbox(overrides: Partial<SandboxOptions> = {}): Promise<CodeSandbox> {
  const sandbox = createCodeSandbox({
    mode: 'bubblewrap',
    timeoutSeconds: 5,
    memoryMb: 256,
    maxConcurrency: 2,
    ...overrides,
  });
  const availability = await sandbox.availability();
  if (!availability.available) throw new Error(`the sandbox tests need bubblewrap: ${availability.reason}`);
  return sandbox;
}

/** Host processes whose command line contains `marker` (to prove nothing outlives an execution). */
export function processesWith(marker: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker);
      } catch {
        return false; // exited while we looked
      }
    })
    .map(Number);
}

/**
 * A bounded pool of numbered slots: at most `size` executions at once, the rest wait in FIFO order.
 * The slot number picks the sandbox's host uid (one per slot), so concurrent executions never share
 * a process count.
 */
export class SlotPool {
  private readonly free: number[];
  private readonly waiting: { grant: (slot: number) => void }[] = [];

  constructor(readonly size: number) {
    this.free = Array.from({ length: size }, (_, index) => index);
  }

  get queued(): number {
    return this.waiting.length;
  }

  /** Resolves with a slot; rejects with the signal's reason if aborted while waiting. */
  acquire(signal?: AbortSignal): Promise<number> {
    signal?.throwIfAborted();
    const slot = this.free.shift();
    if (slot !== undefined) return Promise.resolve(slot);
    return new Promise((resolve, reject) => {
      const waiter = {
        grant: (granted: number) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(granted);
        },
      };
      const onAbort = (): void => {
        this.waiting.splice(this.waiting.indexOf(waiter), 1);
        reject(
          signal?.reason instanceof Error
            ? signal.reason
            : new Error('aborted while waiting for a sandbox slot'),
        );
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(waiter);
    });
  }

  release(slot: number): void {
    const next = this.waiting.shift();
    if (next) next.grant(slot);
    else this.free.push(slot);
  }
}

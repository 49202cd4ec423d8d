interface Waiter {
  start: () => void;
  cancel: (reason: unknown) => void;
}

/**
 * Runs one task at a time, first come first served: a llama.cpp context sequence can only generate one
 * answer at once. A caller whose signal aborts while waiting leaves the queue without ever running.
 */
export class GenerationQueue {
  private running = false;
  private readonly waiting: Waiter[] = [];

  get pending(): number {
    return this.waiting.length;
  }

  get busy(): boolean {
    return this.running;
  }

  async run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    await this.acquire(signal);
    try {
      return await task();
    } finally {
      this.release();
    }
  }

  private acquire(signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    if (!this.running) {
      this.running = true;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => waiter.cancel(signal?.reason);
      const waiter: Waiter = {
        start: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        cancel: (reason) => {
          this.waiting.splice(this.waiting.indexOf(waiter), 1);
          signal?.removeEventListener('abort', onAbort);
          reject(reason instanceof Error ? reason : new Error('aborted while queued'));
        },
      };
      this.waiting.push(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next === undefined) this.running = false;
    else next.start();
  }
}

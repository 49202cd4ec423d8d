/** A push-to-pull bridge: callbacks push, one consumer iterates (O(1) per item, even when it lags). */
export class AsyncQueue<T> implements AsyncIterable<T> {
  private buffer: T[] = [];
  private head = 0;
  private waiting: ((result: IteratorResult<T>) => void) | undefined;
  private failWaiting: ((error: unknown) => void) | undefined;
  private ended = false;
  private failure: { error: Error } | undefined;

  push(item: T): void {
    if (this.ended) return;
    if (this.waiting) return this.wake({ value: item, done: false });
    this.buffer.push(item);
  }

  end(): void {
    this.ended = true;
    if (this.waiting) this.wake({ value: undefined, done: true });
  }

  fail(error: unknown): void {
    if (this.ended) return;
    this.ended = true;
    this.failure = { error: error instanceof Error ? error : new Error(String(error)) };
    const reject = this.failWaiting;
    this.waiting = undefined;
    this.failWaiting = undefined;
    reject?.(this.failure.error);
  }

  private wake(result: IteratorResult<T>): void {
    const resolve = this.waiting;
    this.waiting = undefined;
    this.failWaiting = undefined;
    resolve?.(result);
  }

  private next(): Promise<IteratorResult<T>> {
    if (this.head < this.buffer.length) return Promise.resolve({ value: this.take(), done: false });
    if (this.failure) return Promise.reject(this.failure.error);
    if (this.ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => {
      this.waiting = resolve;
      this.failWaiting = reject;
    });
  }

  private take(): T {
    const item = this.buffer[this.head] as T;
    this.head += 1;
    if (this.head === this.buffer.length) {
      // drained: start over instead of shifting (Array#shift is O(n))
      this.buffer = [];
      this.head = 0;
    }
    return item;
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return { next: () => this.next() };
  }
}

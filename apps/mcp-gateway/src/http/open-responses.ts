import type { ServerResponse } from 'node:http';

/**
 * Responses still being written (tool results travel on a POST's event stream after the tool has returned).
 * Shutdown waits for them before closing sessions, so a finished call's answer is not cut off.
 */
export class OpenResponses {
  private readonly open = new Set<ServerResponse>();
  private waiters: Array<() => void> = [];

  track(res: ServerResponse): void {
    this.open.add(res);
    res.once('close', () => {
      this.open.delete(res);
      if (this.open.size === 0) for (const wake of this.waiters.splice(0)) wake();
    });
  }

  get size(): number {
    return this.open.size;
  }

  /** Resolves once every tracked response has ended, or after `timeoutMs`. */
  async settled(timeoutMs: number): Promise<void> {
    if (this.open.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      new Promise<void>((resolve) => this.waiters.push(resolve)),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs))),
    ]);
    clearTimeout(timer);
  }
}

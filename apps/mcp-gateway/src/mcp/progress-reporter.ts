import type { ProgressToken } from './mcp-protocol';

export interface ProgressNotice {
  method: 'notifications/progress';
  params: { progressToken: ProgressToken; progress: number; message: string };
}

/** At most one notification per interval: a 7B model streams tens of tokens a second; clients need a heartbeat, not a flood. */
export const PROGRESS_INTERVAL_MS = 250;

/**
 * Turns streamed token deltas into `notifications/progress` for the token the client sent. Progress counts
 * streamed chunks (≈ tokens) and always increases; there is no total because the answer's length is unknown.
 */
export class ProgressReporter {
  private chunks = 0;
  private lastSentAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly token: ProgressToken,
    private readonly send: (notice: ProgressNotice) => Promise<void>,
    private readonly now: () => number = Date.now,
    private readonly intervalMs = PROGRESS_INTERVAL_MS,
  ) {}

  readonly onToken = (): void => {
    this.chunks += 1;
    const now = this.now();
    if (now - this.lastSentAt < this.intervalMs) return;
    this.lastSentAt = now;
    this.notify(`generating: ${this.chunks} tokens so far`);
  };

  /** A new stage of a multi-step tool ("round 2 of 3: running the tests"): sent at once, never throttled. */
  readonly onStage = (message: string): void => {
    this.chunks += 1;
    this.lastSentAt = this.now();
    this.notify(message);
  };

  private notify(message: string): void {
    const notice: ProgressNotice = {
      method: 'notifications/progress',
      params: { progressToken: this.token, progress: this.chunks, message },
    };
    // A client gone mid-stream must not fail the tool: cancellation reaches it through the signal instead.
    this.send(notice).catch(() => undefined);
  }
}

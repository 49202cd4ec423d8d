import type { ModelLoadStatus } from '@app/inference';
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
  /** MCP progress must increase: waiting notices come first, then token counts continue above them */
  private lastProgress = 0;

  constructor(
    private readonly token: ProgressToken,
    private readonly send: (notice: ProgressNotice) => Promise<void>,
    private readonly now: () => number = Date.now,
    private readonly intervalMs = PROGRESS_INTERVAL_MS,
  ) {}

  readonly onToken = (): void => {
    this.chunks += 1;
    this.notify(`generating: ${this.chunks} tokens so far`, this.chunks);
  };

  /** A call waiting for the model (first download, loading) hears how far it is instead of silence. */
  readonly onWaiting = (status: ModelLoadStatus): void => {
    this.notify(`waiting for the model: ${status.message}`, this.lastProgress + 1);
  };

  private notify(message: string, progress: number): void {
    const now = this.now();
    if (now - this.lastSentAt < this.intervalMs) return;
    this.lastSentAt = now;
    this.emit(message, progress);
  }

  /** A new stage of a multi-step tool ("round 2 of 3: running the tests"): sent at once, never throttled. */
  readonly onStage = (message: string): void => {
    this.lastSentAt = this.now();
    this.emit(message, this.lastProgress + 1);
  };

  private emit(message: string, progress: number): void {
    this.lastProgress = Math.max(this.lastProgress + 1, progress);
    const notice: ProgressNotice = {
      method: 'notifications/progress',
      params: { progressToken: this.token, progress: this.lastProgress, message },
    };
    // A client gone mid-stream must not fail the tool: cancellation reaches it through the signal instead.
    this.send(notice).catch(() => undefined);
  }
}

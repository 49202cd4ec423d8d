/**
 * Byte caps on everything read from a model server. A real answer is a few hundred KB at most (tens of
 * thousands of tokens); beyond the caps the upstream is broken or hostile, and buffering it (one 50 MiB SSE
 * line cost ~110 MB; a 50 MB error body was read whole on every retry) only moves the failure to our heap.
 */
export interface ReadLimits {
  /** one SSE line (eventsource-parser buffers an unterminated line whole) */
  lineBytes: number;
  /** one SSE event, all its `data:` lines together */
  eventBytes: number;
  /** a whole answer: the JSON body, or all the bytes of a stream */
  answerBytes: number;
  /** an error answer's body: only its message is used */
  errorBodyBytes: number;
}

const MiB = 1024 * 1024;

export const DEFAULT_READ_LIMITS: ReadLimits = {
  lineBytes: MiB,
  eventBytes: MiB,
  answerBytes: 16 * MiB,
  errorBodyBytes: 64 * 1024,
};

export type Overflow = { what: 'an SSE line' | 'a stream event' | 'an answer'; limit: number };

/** "1 MiB", "64 KiB": limits as people write them. */
export function describeBytes(bytes: number): string {
  return bytes >= MiB ? `${bytes / MiB} MiB` : `${bytes / 1024} KiB`;
}

/** Counts a stream's raw bytes per line, per event and in total, as they arrive (before parsing). */
export class StreamBudget {
  private sinceNewline = 0;
  private sinceEvent = 0;
  private total = 0;

  constructor(private readonly limits: ReadLimits) {}

  /** Call with each raw chunk before parsing it; an overflow means: stop reading, end the call. */
  take(chunk: Uint8Array): Overflow | undefined {
    this.total += chunk.length;
    this.sinceEvent += chunk.length;
    const newline = chunk.lastIndexOf(0x0a);
    this.sinceNewline = newline === -1 ? this.sinceNewline + chunk.length : chunk.length - newline - 1;
    if (this.sinceNewline > this.limits.lineBytes)
      return { what: 'an SSE line', limit: this.limits.lineBytes };
    if (this.sinceEvent > this.limits.eventBytes)
      return { what: 'a stream event', limit: this.limits.eventBytes };
    if (this.total > this.limits.answerBytes) return { what: 'an answer', limit: this.limits.answerBytes };
    return undefined;
  }

  /** An event was dispatched: the next one starts counting. */
  eventEnded(): void {
    this.sinceEvent = 0;
  }
}

/** Reads a body up to `maxBytes`; `complete: false` when it is longer (the caller then drops the socket). */
export async function readUpTo(
  body: AsyncIterable<Uint8Array>,
  maxBytes: number,
): Promise<{ text: string; complete: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > maxBytes) {
      chunks.push(Buffer.from(chunk.subarray(0, chunk.length - (size - maxBytes))));
      return { text: Buffer.concat(chunks).toString('utf8'), complete: false };
    }
    chunks.push(Buffer.from(chunk));
  }
  return { text: Buffer.concat(chunks).toString('utf8'), complete: true };
}

/** A complete line, or the edges of one that passed the limit (its middle was dropped unread). */
export type LineEvent =
  { kind: 'line'; text: string } | { kind: 'oversized'; bytes: number; head: string; tail: string };

const NEWLINE = 0x0a;
/** Bytes kept from each end of an oversized line: enough to find its JSON-RPC id. */
const EDGE_BYTES = 256;

/**
 * Splits a byte stream into newline-terminated lines, holding at most `maxLineBytes` of a line: a longer
 * one is skipped up to its newline (memory stays bounded) and reported as oversized, so the caller can
 * answer it and keep reading the next line. The SDK's reader instead stopped reading for good.
 */
export class LineReader {
  private parts: Buffer[] = [];
  private size = 0;
  private oversized?: { head: Buffer; tail: Buffer };

  constructor(private readonly maxLineBytes: number) {}

  feed(chunk: Buffer): LineEvent[] {
    const events: LineEvent[] = [];
    let start = 0;
    while (start < chunk.length) {
      const newline = chunk.indexOf(NEWLINE, start);
      this.append(chunk.subarray(start, newline === -1 ? chunk.length : newline));
      if (newline === -1) break;
      events.push(this.finishLine());
      start = newline + 1;
    }
    return events;
  }

  private append(piece: Buffer): void {
    if (piece.length === 0) return;
    this.size += piece.length;
    if (this.oversized) {
      this.oversized.tail = lastBytes(Buffer.concat([this.oversized.tail, lastBytes(piece)]));
    } else if (this.size > this.maxLineBytes) {
      const seen = Buffer.concat([...this.parts, piece]);
      this.oversized = {
        head: Buffer.from(seen.subarray(0, EDGE_BYTES)),
        tail: Buffer.from(lastBytes(seen)),
      };
      this.parts = [];
    } else {
      this.parts.push(piece);
    }
  }

  private finishLine(): LineEvent {
    const { oversized, size } = this;
    const event: LineEvent = oversized
      ? {
          kind: 'oversized',
          bytes: size,
          head: oversized.head.toString('utf8'),
          tail: oversized.tail.toString('utf8'),
        }
      : { kind: 'line', text: Buffer.concat(this.parts).toString('utf8').replace(/\r$/, '') };
    this.parts = [];
    this.size = 0;
    this.oversized = undefined;
    return event;
  }
}

function lastBytes(buffer: Buffer): Buffer {
  return buffer.length <= EDGE_BYTES ? buffer : buffer.subarray(buffer.length - EDGE_BYTES);
}

/**
 * The id of an oversized request, read from its edges without parsing the whole: `"id"` as the first member
 * (`{"jsonrpc":"2.0","id":7,…`) or the last (`…,"id":7}`, what the SDK clients write). A nested `"id"` can
 * match neither: it would be followed by `}}` or preceded by more than the envelope.
 */
export function idFromEdges(head: string, tail: string): string | number | null {
  const ID = String.raw`"id"\s*:\s*(-?\d{1,15}|"(?:[^"\\]|\\.){0,128}")`;
  const first = new RegExp(String.raw`^\s*\{\s*(?:"jsonrpc"\s*:\s*"2\.0"\s*,\s*)?${ID}`).exec(head);
  const last = new RegExp(String.raw`,\s*${ID}\s*\}\s*$`).exec(tail);
  const raw = first?.[1] ?? last?.[1];
  if (raw === undefined) return null;
  try {
    return JSON.parse(raw) as string | number;
  } catch {
    return null;
  }
}

import type { Readable, Writable } from 'node:stream';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { ErrorCode, type JSONRPCMessage, type RequestId } from '@modelcontextprotocol/sdk/types.js';
import { checkJsonRpcMessage } from './json-rpc-guard';
import { LineReader, idFromEdges, type LineEvent } from './line-reader';

type Waiter = () => void;

function isAnswer(message: JSONRPCMessage): message is JSONRPCMessage & { id: RequestId } {
  return 'id' in message && ('result' in message || 'error' in message);
}

/**
 * MCP over newline-delimited JSON on stdin/stdout, replacing the SDK's StdioServerTransport, which went deaf
 * for good after one line over 10 MiB and dropped malformed lines without a word. Here every line gets an
 * answer: over the limit → -32600 naming it (the line is skipped, memory stays bounded), not JSON → -32700,
 * not JSON-RPC → -32600, bad params → -32602. The requests still unanswered are tracked, so shutdown can
 * wait for their answers (`drained`) instead of exiting over them.
 */
export class GuardedStdioTransport implements Transport {
  onmessage?: Transport['onmessage'];
  onerror?: (error: Error) => void;
  onclose?: () => void;
  private readonly reader: LineReader;
  private readonly unanswered = new Set<RequestId>();
  private writing = 0;
  private waiters: Waiter[] = [];

  constructor(
    private readonly maxLineBytes: number,
    private readonly input: Readable = process.stdin,
    private readonly output: Writable = process.stdout,
  ) {
    this.reader = new LineReader(maxLineBytes);
  }

  private readonly onData = (chunk: Buffer): void => {
    for (const event of this.reader.feed(chunk)) this.handle(event);
  };

  private readonly onInputError = (error: Error): void => this.onerror?.(error);

  start(): Promise<void> {
    this.input.on('data', this.onData);
    this.input.on('error', this.onInputError);
    return Promise.resolve();
  }

  send(message: JSONRPCMessage): Promise<void> {
    if (isAnswer(message)) this.unanswered.delete(message.id);
    this.writing += 1;
    return new Promise((resolve) => {
      this.output.write(`${JSON.stringify(message)}\n`, () => {
        this.writing -= 1;
        this.wakeIfDrained();
        resolve();
      });
    });
  }

  /** Resolves once every request received has been answered and written out, or after `timeoutMs`. */
  async drained(timeoutMs: number): Promise<void> {
    if (this.isDrained()) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      new Promise<void>((resolve) => this.waiters.push(resolve)),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs))),
    ]);
    clearTimeout(timer);
  }

  close(): Promise<void> {
    this.input.off('data', this.onData);
    this.input.off('error', this.onInputError);
    this.input.pause();
    this.onclose?.();
    return Promise.resolve();
  }

  private handle(event: LineEvent): void {
    if (event.kind === 'oversized')
      return this.refuseOversized(event.bytes, idFromEdges(event.head, event.tail));
    if (event.text.trim() === '') return;
    let message: unknown;
    try {
      message = JSON.parse(event.text);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return this.refuse(null, ErrorCode.ParseError, `Parse error: the line is not valid JSON (${reason})`);
    }
    const refusal = checkJsonRpcMessage(message);
    if (refusal) return this.refuse(refusal.id, refusal.code, refusal.message);
    const accepted = message as JSONRPCMessage;
    if ('method' in accepted && 'id' in accepted) this.unanswered.add(accepted.id);
    this.onmessage?.(accepted);
  }

  private refuseOversized(bytes: number, id: RequestId | null): void {
    const message = `Request too large: ${bytes} bytes in one line; a message must not exceed ${this.maxLineBytes} bytes (GATEWAY_BODY_LIMIT_BYTES). It was not processed.`;
    this.refuse(id, ErrorCode.InvalidRequest, message);
  }

  private refuse(id: RequestId | null, code: number, message: string): void {
    // id null is what JSON-RPC prescribes when the request's id could not be read
    const answer = { jsonrpc: '2.0', id, error: { code, message } } as unknown as JSONRPCMessage;
    void this.send(answer);
  }

  private isDrained(): boolean {
    return this.unanswered.size === 0 && this.writing === 0;
  }

  private wakeIfDrained(): void {
    if (this.isDrained()) for (const wake of this.waiters.splice(0)) wake();
  }
}

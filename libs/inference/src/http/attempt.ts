import { createParser, type EventSourceMessage } from 'eventsource-parser';
import type { Dispatcher } from 'undici';
import { InferenceError, isInferenceError } from '../inference.errors';
import type { ModelRole } from '../inference.types';
import { startTimer, type Clock, type DeadlineTimer } from './clock';
import { roleLabel } from './endpoint';
import type { Replica } from './replica';
import {
  errorFromStatus,
  errorFromStreamEvent,
  errorFromTransport,
  parseRetryAfter,
  trimExcerpt,
  type ErrorContext,
} from './upstream-errors';
import { StreamAccumulator, type ParsedOutput, type WireAdapter } from './wire';
import {
  DEFAULT_READ_LIMITS,
  describeBytes,
  readUpTo,
  StreamBudget,
  type Overflow,
  type ReadLimits,
} from './read-limits';

/** Per-attempt deadlines in ms (0 = off). The total deadline belongs to the whole call. */
export interface AttemptDeadlines {
  connectMs: number;
  /** from sending the request to the first streamed token */
  firstTokenMs: number;
  /** the longest gap between two stream chunks */
  idleMs: number;
}

/** Shared by the attempts of one call: once output reached the caller, no retry may happen. */
export interface CallProgress {
  streamed: boolean;
}

export interface AttemptInput {
  role: ModelRole;
  replica: Replica;
  wire: WireAdapter;
  path: string;
  body: string;
  headers: Record<string, string>;
  stream: boolean;
  deadlines: AttemptDeadlines;
  clock: Clock;
  /** the call's signal: aborted by the caller or the total deadline, with an InferenceError reason */
  signal: AbortSignal;
  onToken?: (delta: string) => void;
  progress: CallProgress;
  /** byte caps on what is read; DEFAULT_READ_LIMITS unless a test lowers them */
  limits?: ReadLimits;
}

export interface AttemptOutcome {
  output: ParsedOutput;
  /** clock time of the first token (or the whole body) */
  firstTokenAt: number;
}

/** Wraps an exception thrown by the caller's onToken so it is rethrown as is, not blamed on the upstream. */
class CallbackFailure extends Error {
  constructor(readonly error: unknown) {
    super('onToken callback failed');
  }
}

function deadlineError(
  ctx: ErrorContext,
  phase: 'first-token' | 'idle',
  ms: number,
  partialOutput: boolean,
): InferenceError {
  const what = phase === 'first-token' ? 'sent no first token' : 'stalled between two chunks';
  const message = `${roleLabel(ctx.role)} at ${ctx.url} ${what} for ${ms} ms — the server may be overloaded or hung`;
  return new InferenceError('TIMEOUT', message, { role: ctx.role, endpoint: ctx.url, phase, partialOutput });
}

/**
 * The first-token deadline fired while other calls on this replica kept receiving tokens: the request
 * waits in the server's queue (more calls than its slots, llama-server `-np`). Honest, not a fault.
 */
function busyServerError(ctx: ErrorContext, ms: number): InferenceError {
  const message =
    `${roleLabel(ctx.role)} at ${ctx.url} sent no first token for ${ms} ms while it kept answering other calls: ` +
    `the request waited in the server's queue — raise MODEL_FIRST_TOKEN_SECONDS, or set MODEL_MAX_CONCURRENCY to the server's slot count so calls wait here instead`;
  return new InferenceError('TIMEOUT', message, {
    role: ctx.role,
    endpoint: ctx.url,
    phase: 'first-token',
    partialOutput: false,
    serverBusy: true,
  });
}

function invalidResponse(
  ctx: ErrorContext,
  what: string,
  excerpt: string,
  partialOutput: boolean,
): InferenceError {
  const quoted = trimExcerpt(excerpt, 200);
  const message = `${roleLabel(ctx.role)} at ${ctx.url} returned ${what}: ${quoted} — is the protocol right?`;
  return new InferenceError('INVALID_RESPONSE', message, {
    role: ctx.role,
    endpoint: ctx.url,
    partialOutput,
    excerpt: quoted,
  });
}

function tooLarge(ctx: ErrorContext, overflow: Overflow, partialOutput: boolean): InferenceError {
  const message = `${roleLabel(ctx.role)} at ${ctx.url} sent ${overflow.what} over ${describeBytes(overflow.limit)}, which no model answer needs; the call was ended and its connection closed — is the protocol right?`;
  return new InferenceError('INVALID_RESPONSE', message, {
    role: ctx.role,
    endpoint: ctx.url,
    partialOutput,
  });
}

/** One HTTP request to one replica, with its own deadlines; the socket is closed on any abort. */
export class Attempt {
  private readonly controller = new AbortController();
  private readonly ctx: ErrorContext;
  private readonly startedAt: number;
  private firstToken: DeadlineTimer;
  private idle: DeadlineTimer | undefined;
  private readonly onCallAbort = () => this.controller.abort(this.input.signal.reason);

  constructor(private readonly input: AttemptInput) {
    this.ctx = { role: input.role, url: `${input.replica.endpoint.origin}${input.path}` };
    this.startedAt = input.clock.now();
    const firstTokenMs = input.stream ? input.deadlines.firstTokenMs : 0;
    this.firstToken = startTimer(input.clock, firstTokenMs, () =>
      this.controller.abort(this.firstTokenTimeout(firstTokenMs)),
    );
  }

  /** Busy (queued behind the server's slots) when other calls received output while this one waited. */
  private firstTokenTimeout(ms: number): InferenceError {
    const busy = this.input.replica.lastProgressAt > this.startedAt;
    return busy ? busyServerError(this.ctx, ms) : deadlineError(this.ctx, 'first-token', ms, false);
  }

  async run(): Promise<AttemptOutcome> {
    const { signal } = this.input;
    if (signal.aborted) this.controller.abort(signal.reason);
    signal.addEventListener('abort', this.onCallAbort, { once: true });
    let finished = false;
    try {
      const outcome = await this.exchange();
      finished = true;
      return outcome;
    } catch (error) {
      throw this.classify(error);
    } finally {
      this.firstToken.cancel();
      this.idle?.cancel();
      signal.removeEventListener('abort', this.onCallAbort);
      // a failed or abandoned exchange must not leave the upstream generating: closing the socket stops it
      if (!finished) this.controller.abort();
    }
  }

  private async exchange(): Promise<AttemptOutcome> {
    const response = await this.send();
    if (response.statusCode >= 400) throw await this.statusError(response);
    // some servers ignore `stream: true` and answer with one JSON body: accept it as a whole answer
    const streamed = this.input.stream && isEventStream(response.headers['content-type']);
    return streamed ? this.readStream(response.body) : this.readComplete(response.body);
  }

  private send(): Promise<Dispatcher.ResponseData> {
    const { replica, path, body, headers } = this.input;
    return replica.dispatcher.request({
      origin: replica.endpoint.origin,
      path,
      method: 'POST',
      headers,
      body,
      signal: this.controller.signal,
      // our own deadlines apply; undici's would fire with less precise errors
      headersTimeout: 0,
      bodyTimeout: 0,
    });
  }

  private get limits(): ReadLimits {
    return this.input.limits ?? DEFAULT_READ_LIMITS;
  }

  /** Only the message of an error body is used: the rest is not read (the socket is then closed). */
  private async statusError(response: Dispatcher.ResponseData): Promise<InferenceError> {
    const body = response.body as AsyncIterable<Uint8Array>;
    const { text } = await readUpTo(body, this.limits.errorBodyBytes).catch(() => ({ text: '' }));
    const retryAfterMs = parseRetryAfter(response.headers['retry-after']);
    return errorFromStatus(this.ctx, response.statusCode, text, retryAfterMs);
  }

  private async readComplete(body: Dispatcher.ResponseData['body']): Promise<AttemptOutcome> {
    const { answerBytes } = this.limits;
    const { text, complete } = await readUpTo(body as AsyncIterable<Uint8Array>, answerBytes);
    if (!complete) throw tooLarge(this.ctx, { what: 'an answer', limit: answerBytes }, false);
    const firstTokenAt = this.input.clock.now();
    this.input.replica.lastProgressAt = firstTokenAt;
    const output = this.parseComplete(text);
    if (this.input.onToken && output.text !== '') this.deliver(output.text);
    return { output, firstTokenAt };
  }

  private parseComplete(text: string): ParsedOutput {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw invalidResponse(this.ctx, 'a body that is not JSON', text, false);
    }
    try {
      return this.input.wire.parseComplete(json);
    } catch (error) {
      throw invalidResponse(this.ctx, `an unexpected answer (${(error as Error).message})`, text, false);
    }
  }

  private async readStream(body: Dispatcher.ResponseData['body']): Promise<AttemptOutcome> {
    const state = new StreamState();
    const budget = new StreamBudget(this.limits);
    const parser = createParser({
      onEvent: (event) => {
        budget.eventEnded();
        this.onEvent(event, state);
      },
    });
    const decoder = new TextDecoder();
    const { replica, clock } = this.input;
    for await (const chunk of body as AsyncIterable<Uint8Array>) {
      this.idle?.refresh();
      replica.lastProgressAt = clock.now();
      // counted before parsing: the parser would buffer an endless line or event whole
      const overflow = budget.take(chunk);
      if (overflow) throw tooLarge(this.ctx, overflow, this.input.progress.streamed);
      parser.feed(decoder.decode(chunk, { stream: true }));
    }
    if (!state.done && state.acc.finishReason === undefined) throw this.truncated(state);
    return { output: state.acc.finish(), firstTokenAt: state.firstTokenAt ?? this.input.clock.now() };
  }

  /** The per-chunk hot path: parse, append to an array, hand the delta on. */
  private onEvent(event: EventSourceMessage, state: StreamState): void {
    if (state.done) return;
    if (event.data === '[DONE]') {
      state.done = true;
      return;
    }
    const json = this.parseEvent(event.data);
    if (json.error !== undefined) throw errorFromStreamEvent(this.ctx, json, this.input.progress.streamed);
    const delta = this.input.wire.parseChunk(json, state.acc);
    if (delta === '' && !state.acc.hasToolCalls) return;
    if (state.firstTokenAt === undefined) this.onFirstToken(state);
    if (delta === '') return;
    state.acc.parts.push(delta);
    if (this.input.onToken) this.deliver(delta);
  }

  private parseEvent(data: string): { error?: unknown } {
    try {
      return JSON.parse(data) as { error?: unknown };
    } catch {
      throw invalidResponse(this.ctx, 'a stream event that is not JSON', data, this.input.progress.streamed);
    }
  }

  private onFirstToken(state: StreamState): void {
    state.firstTokenAt = this.input.clock.now();
    this.firstToken.cancel();
    const { idleMs } = this.input.deadlines;
    this.idle = startTimer(this.input.clock, idleMs, () =>
      this.controller.abort(deadlineError(this.ctx, 'idle', idleMs, this.input.progress.streamed)),
    );
  }

  private deliver(delta: string): void {
    this.input.progress.streamed = true;
    try {
      this.input.onToken?.(delta);
    } catch (error) {
      throw new CallbackFailure(error);
    }
  }

  private truncated(state: StreamState): InferenceError {
    const partialOutput = this.input.progress.streamed;
    const message = `stream from ${roleLabel(this.ctx.role)} at ${this.ctx.url} ended without [DONE] after ${state.acc.parts.length} chunks — the server closed the connection early; check its logs`;
    return new InferenceError('UPSTREAM_ERROR', message, {
      role: this.ctx.role,
      endpoint: this.ctx.url,
      partialOutput,
    });
  }

  private classify(error: unknown): unknown {
    if (error instanceof CallbackFailure) return error.error;
    const reason: unknown = this.controller.signal.reason;
    if (this.controller.signal.aborted && isInferenceError(reason)) return reason;
    if (isInferenceError(error)) return error;
    return errorFromTransport(this.ctx, error, this.input.progress.streamed);
  }
}

function isEventStream(contentType: string | string[] | undefined): boolean {
  const value = Array.isArray(contentType) ? contentType[0] : contentType;
  return value?.toLowerCase().includes('text/event-stream') ?? false;
}

class StreamState {
  readonly acc = new StreamAccumulator();
  done = false;
  firstTokenAt: number | undefined;
}

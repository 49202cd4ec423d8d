/**
 * Model-server emulator: a real `node:http` server on 127.0.0.1 (ephemeral port) that speaks the two wire
 * protocols the inference library talks to, so tests exercise real sockets, real SSE and real aborts.
 *
 *   - local-models: `POST /chat` `{messages,max_tokens,temperature}` → `{response,response_tokens,input_tokens,total_tokens}`
 *   - OpenAI-compatible: `POST /v1/chat/completions`, `POST /v1/completions` (JSON or SSE when `stream: true`,
 *     with a usage chunk when `stream_options.include_usage`), `GET /v1/models`
 *   - `GET /health` (scriptable with `setHealth`), `GET /` (Ollama-style liveness text)
 *
 * Usage:
 *   const emu = await startModelServerEmulator();            // default reply echoes the last user message
 *   emu.script({ text: 'hello', chunks: ['hel', 'lo'] });     // next generation request gets this reply
 *   emu.script(emulatorFaults.serverErrors(2));               // 5xx burst: two 503s, then the default reply
 *   emu.script(emulatorFaults.rateLimited(1));                // 429 + `Retry-After: 1`
 *   emu.script({ kind: 'hang' });                             // never answers; `await emu.waitForAborts(1)`
 *   emu.requests, emu.abortedCount, emu.connectionCount;  await emu.close();
 *
 * Scripted replies are consumed in order by generation requests (`/chat`, `/v1/*completions`); when the queue
 * is empty the handler set with `setHandler` (or the default echo) answers. Benchmarks use `delayMs` (fixed
 * delay before the answer) and `record: false` so the hot path stays cheap.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface EmulatorToolCall {
  id?: string;
  name: string;
  arguments: string;
}

/** A successful answer. Streaming splits `chunks` (or `text` by words) into SSE events. */
export interface EmulatorReply {
  kind?: 'reply';
  text?: string;
  /** explicit stream pieces; joined they should equal `text` (they replace it when `text` is absent) */
  chunks?: string[];
  toolCalls?: EmulatorToolCall[];
  finishReason?: string;
  /** ms to wait before sending the response head */
  delayMs?: number;
  /** ms between stream chunks (a slow trickle when large) */
  chunkDelayMs?: number;
  usage?: { promptTokens: number; completionTokens: number };
  model?: string;
}

/** An HTTP error answer with an upstream-specific body shape (see `errorBodies`). */
export interface EmulatorErrorReply {
  kind: 'error';
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  delayMs?: number;
}

/** Faults that are not a clean HTTP answer. `afterChunks` applies to streamed requests. */
export type EmulatorFault =
  | { kind: 'hang' }
  | { kind: 'reset'; afterChunks?: number; chunks?: string[] }
  | { kind: 'malformed'; delayMs?: number }
  /** `clean: true` ends the HTTP response properly but without `[DONE]`; otherwise the socket is cut */
  | { kind: 'truncate'; afterChunks: number; chunks?: string[]; clean?: boolean }
  | { kind: 'stream-error'; afterChunks: number; chunks?: string[]; error: unknown }
  /**
   * A hostile or broken upstream sending `bytes` of one thing, written as the client reads (backpressure):
   * `sse-line` one SSE line with no newline, `sse-event` one event of many `data:` lines, `sse-answer` a
   * stream of valid small events that never ends, `body` a JSON body, `error-body` a 500 with a huge body.
   * Records the request as aborted when the client closes the socket before the end.
   */
  | { kind: 'flood'; shape: 'sse-line' | 'sse-event' | 'sse-answer' | 'body' | 'error-body'; bytes: number };

export type EmulatorResponse = EmulatorReply | EmulatorErrorReply | EmulatorFault;

export type EmulatorProtocolPath = '/chat' | '/v1/chat/completions' | '/v1/completions';

export interface RecordedRequest {
  method: string;
  /** one of `EmulatorProtocolPath`, `/health`, `/v1/models` or whatever the client asked for */
  path: string;
  headers: IncomingHttpHeaders;
  /** parsed JSON body, or the raw text when it was not JSON */
  body: unknown;
  /** the local port of the client socket (distinct values = distinct connections) */
  remotePort: number;
}

export type EmulatorHandler = (request: RecordedRequest) => EmulatorResponse;

export interface EmulatorOptions {
  /** default fixed delay (ms) before every generation answer; 0 = instant */
  delayMs?: number;
  /** default delay between stream chunks */
  chunkDelayMs?: number;
  /** keep request records (turn off in load tests) */
  record?: boolean;
  /** names served by `GET /v1/models`; the first is used in answers */
  models?: string[];
  /** server keep-alive timeout (vLLM/uvicorn uses 5 s) */
  keepAliveTimeoutMs?: number;
  handler?: EmulatorHandler;
  /** like llama-server `--api-key`: every route but `/health` answers 401 without `Authorization: Bearer <key>` */
  apiKey?: string;
  /** `owned_by` of the `GET /v1/models` entries (llama.cpp says "llamacpp", vLLM "vllm") */
  ownedBy?: string;
  /** like llama-server `-np N`: at most N generations at once, the others wait (server-side queueing) */
  slots?: number;
}

export interface HealthScript {
  status: number;
  body?: unknown;
  hang?: boolean;
}

export interface ModelServerEmulator {
  readonly url: string;
  readonly port: number;
  readonly requests: readonly RecordedRequest[];
  /** generation requests whose client closed the socket before the answer completed */
  readonly abortedCount: number;
  readonly completedCount: number;
  /** TCP connections accepted so far (keep-alive reuse keeps it low) */
  readonly connectionCount: number;
  /** requests currently being answered */
  readonly inFlight: number;
  /** queue answers for the next generation requests (arrays are flattened) */
  script(...responses: Array<EmulatorResponse | EmulatorHandler | EmulatorResponse[]>): void;
  setHandler(handler: EmulatorHandler | undefined): void;
  setHealth(health: HealthScript): void;
  /** resolves once `abortedCount >= n`; rejects after `timeoutMs` */
  waitForAborts(n: number, timeoutMs?: number): Promise<void>;
  waitForRequests(n: number, timeoutMs?: number): Promise<void>;
  /** resolves once `n` generation requests (POSTs to a generation path) arrived; lookups such as `GET /v1/models` do not count */
  waitForGenerations(n: number, timeoutMs?: number): Promise<void>;
  /** clears the script, records, request/abort/completion counters and the health script (not the handler) */
  reset(): void;
  close(): Promise<void>;
}

/** Error bodies exactly as the upstream servers write them. */
export const errorBodies = {
  vllm: (message: string, type = 'BadRequestError', code = 400) => ({
    error: { message, type, param: null, code },
  }),
  vllmLegacy: (message: string, code = 400) => ({ object: 'error', message, type: 'BadRequestError', code }),
  tgi: (message: string, errorType = 'overloaded') => ({ error: message, error_type: errorType }),
  llamaCpp: (message: string, code = 503, type = 'unavailable_error') => ({ error: { code, message, type } }),
  ollama: (message: string) => ({ error: message }),
  fastapi: (detail: string) => ({ detail }),
};

/** Ready-made fault scripts. */
export const emulatorFaults = {
  serverErrors: (
    count: number,
    status = 503,
    body: unknown = errorBodies.vllm('engine overloaded', 'ServiceUnavailable', status),
  ) => Array.from({ length: count }, (): EmulatorErrorReply => ({ kind: 'error', status, body })),
  rateLimited: (
    retryAfterSeconds: number,
    body: unknown = errorBodies.tgi('Model is overloaded'),
  ): EmulatorErrorReply => ({
    kind: 'error',
    status: 429,
    body,
    headers: { 'retry-after': String(retryAfterSeconds) },
  }),
  hang: (): EmulatorFault => ({ kind: 'hang' }),
  trickle: (chunks: string[], chunkDelayMs: number): EmulatorReply => ({ chunks, chunkDelayMs }),
  malformed: (): EmulatorFault => ({ kind: 'malformed' }),
  truncate: (afterChunks: number, chunks?: string[], clean = false): EmulatorFault => ({
    kind: 'truncate',
    afterChunks,
    chunks,
    clean,
  }),
  streamError: (
    afterChunks: number,
    error: unknown = { message: 'CUDA out of memory', type: 'InternalServerError' },
    chunks?: string[],
  ): EmulatorFault => ({
    kind: 'stream-error',
    afterChunks,
    chunks,
    error,
  }),
  reset: (afterChunks?: number, chunks?: string[]): EmulatorFault => ({ kind: 'reset', afterChunks, chunks }),
};

const GENERATION_PATHS = new Set<string>(['/chat', '/v1/chat/completions', '/v1/completions']);

interface RequestBody {
  messages?: Array<{ role?: string; content?: string }>;
  prompt?: string;
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  model?: string;
}

type Waiter = { done: () => boolean; resolve: () => void };

class Emulator implements ModelServerEmulator {
  readonly requests: RecordedRequest[] = [];
  abortedCount = 0;
  completedCount = 0;
  connectionCount = 0;
  inFlight = 0;
  url = '';
  port = 0;
  private queue: Array<EmulatorResponse | EmulatorHandler> = [];
  private handler: EmulatorHandler | undefined;
  private health: HealthScript = { status: 200, body: { status: 'ok' } };
  private waiters: Waiter[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private busySlots = 0;
  private readonly waitingForSlot: Array<() => void> = [];
  private readonly server = createServer((req, res) => this.onRequest(req, res));

  constructor(private readonly options: EmulatorOptions) {
    this.handler = options.handler;
    this.server.keepAliveTimeout = options.keepAliveTimeoutMs ?? 5000;
    this.server.on('connection', () => {
      this.connectionCount += 1;
    });
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    this.url = `http://127.0.0.1:${this.port}`;
  }

  script(...responses: Array<EmulatorResponse | EmulatorHandler | EmulatorResponse[]>): void {
    for (const response of responses) {
      if (Array.isArray(response)) this.queue.push(...response);
      else this.queue.push(response);
    }
  }

  setHandler(handler: EmulatorHandler | undefined): void {
    this.handler = handler;
  }

  setHealth(health: HealthScript): void {
    this.health = health;
  }

  waitForAborts(n: number, timeoutMs = 5000): Promise<void> {
    return this.waitFor(
      () => this.abortedCount >= n,
      timeoutMs,
      () => `aborts: ${this.abortedCount}/${n}`,
    );
  }

  waitForRequests(n: number, timeoutMs = 5000): Promise<void> {
    return this.waitFor(
      () => this.requestTotal >= n,
      timeoutMs,
      () => `requests: ${this.requestTotal}/${n}`,
    );
  }

  waitForGenerations(n: number, timeoutMs = 5000): Promise<void> {
    return this.waitFor(
      () => this.generationTotal >= n,
      timeoutMs,
      () => `generation requests: ${this.generationTotal}/${n}`,
    );
  }

  reset(): void {
    this.generationTotal = 0;
    this.queue = [];
    this.requests.length = 0;
    this.requestTotal = 0;
    this.abortedCount = 0;
    this.completedCount = 0;
    this.health = { status: 200, body: { status: 'ok' } };
  }

  async close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private requestTotal = 0;
  private generationTotal = 0;

  private waitFor(done: () => boolean, timeoutMs: number, describe: () => string): Promise<void> {
    if (done()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`emulator: timed out waiting for ${describe()}`));
      }, timeoutMs);
      const waiter: Waiter = {
        done,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      this.waiters.push(waiter);
    });
  }

  private notify(): void {
    if (this.waiters.length === 0) return;
    const ready = this.waiters.filter((w) => w.done());
    this.waiters = this.waiters.filter((w) => !ready.includes(w));
    for (const waiter of ready) waiter.resolve();
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    const parts: Buffer[] = [];
    req.on('data', (chunk: Buffer) => parts.push(chunk));
    req.on('end', () => this.route(req, res, Buffer.concat(parts).toString('utf8')));
  }

  private route(req: IncomingMessage, res: ServerResponse, raw: string): void {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const recorded = this.record(req, path, raw);
    if (!this.authorized(req, path)) {
      return sendJson(res, 401, {
        error: { code: 401, message: 'Invalid API Key', type: 'authentication_error' },
      });
    }
    if (req.method === 'GET') return this.answerGet(path, res);
    if (req.method !== 'POST' || !GENERATION_PATHS.has(path)) {
      return sendJson(res, 404, { detail: 'Not Found' });
    }
    this.generationTotal += 1;
    this.notify();
    this.trackCompletion(res);
    this.inSlot(res, () => this.answerGeneration(recorded, res));
  }

  private authorized(req: IncomingMessage, path: string): boolean {
    const key = this.options.apiKey;
    return key === undefined || path === '/health' || req.headers.authorization === `Bearer ${key}`;
  }

  /** Runs `answer` once a slot is free (at once without `slots`); the slot frees when the response closes. */
  private inSlot(res: ServerResponse, answer: () => void): void {
    const slots = this.options.slots;
    if (slots === undefined) return answer();
    let holding = false;
    const start = () => {
      holding = true;
      this.busySlots += 1;
      answer();
    };
    res.on('close', () => {
      const waiting = this.waitingForSlot.indexOf(start);
      if (waiting >= 0) this.waitingForSlot.splice(waiting, 1);
      if (!holding) return;
      this.busySlots -= 1;
      if (this.busySlots < slots) this.waitingForSlot.shift()?.();
    });
    if (this.busySlots < slots) start();
    else this.waitingForSlot.push(start);
  }

  private record(req: IncomingMessage, path: string, raw: string): RecordedRequest {
    const recorded: RecordedRequest = {
      method: req.method ?? 'GET',
      path,
      headers: req.headers,
      body: parseBody(raw),
      remotePort: req.socket.remotePort ?? 0,
    };
    this.requestTotal += 1;
    if (this.options.record !== false) this.requests.push(recorded);
    this.notify();
    return recorded;
  }

  private trackCompletion(res: ServerResponse): void {
    this.inFlight += 1;
    res.on('close', () => {
      this.inFlight -= 1;
      if (res.writableFinished) this.completedCount += 1;
      else this.abortedCount += 1;
      this.notify();
    });
  }

  private answerGet(path: string, res: ServerResponse): void {
    if (path === '/health') return this.answerHealth(res);
    if (path === '/v1/models') return sendJson(res, 200, this.modelList());
    if (path === '/') return sendText(res, 200, 'Ollama is running');
    sendJson(res, 404, { detail: 'Not Found' });
  }

  private answerHealth(res: ServerResponse): void {
    if (this.health.hang) return;
    if (this.health.body === undefined) {
      res.writeHead(this.health.status).end();
      return;
    }
    sendJson(res, this.health.status, this.health.body);
  }

  private modelList(): unknown {
    const names = this.options.models ?? ['emulated-model'];
    return {
      object: 'list',
      data: names.map((id) => ({ id, object: 'model', owned_by: this.options.ownedBy ?? 'emulator' })),
    };
  }

  private nextResponse(request: RecordedRequest): EmulatorResponse {
    const next = this.queue.shift();
    if (next !== undefined) return typeof next === 'function' ? next(request) : next;
    if (this.handler) return this.handler(request);
    return { text: echoText(request.body as RequestBody) };
  }

  private answerGeneration(request: RecordedRequest, res: ServerResponse): void {
    const response = this.nextResponse(request);
    const delay = 'delayMs' in response ? (response.delayMs ?? this.options.delayMs) : this.options.delayMs;
    this.later(delay ?? 0, () => this.dispatch(request, response, res));
  }

  private dispatch(request: RecordedRequest, response: EmulatorResponse, res: ServerResponse): void {
    if (res.destroyed) return;
    switch (response.kind) {
      case 'hang':
        return;
      case 'error':
        return sendJson(res, response.status, response.body, response.headers);
      case 'malformed':
        return this.sendMalformed(request, res);
      case 'reset':
        if (!isStream(request) || response.afterChunks === undefined) return void res.socket?.destroy();
        return this.stream(request, { chunks: response.chunks }, res, response);
      case 'truncate':
      case 'stream-error':
        if (!isStream(request)) return sendJson(res, 500, errorBodies.vllm('fault only applies to streams'));
        return this.stream(request, { chunks: response.chunks }, res, response);
      case 'flood':
        return flood(res, response.shape, response.bytes);
      default:
        if (isStream(request)) return this.stream(request, response, res);
        return sendJson(res, 200, this.completeBody(request, response));
    }
  }

  private sendMalformed(request: RecordedRequest, res: ServerResponse): void {
    if (!isStream(request))
      return sendText(res, 200, '{"choices": [{"message": {"content": "unterminated', 'application/json');
    res.writeHead(200, SSE_HEADERS);
    res.end('data: {"choices": [{"delta": {"content": "oops"\n\ndata: [DONE]\n\n');
  }

  private completeBody(request: RecordedRequest, reply: EmulatorReply): unknown {
    const text = replyText(reply);
    const usage = usageOf(request.body as RequestBody, reply);
    const model = reply.model ?? (request.body as RequestBody).model ?? this.defaultModel();
    if (request.path === '/chat') {
      return {
        response: text,
        response_tokens: usage.completion,
        input_tokens: usage.prompt,
        total_tokens: usage.prompt + usage.completion,
      };
    }
    const finish = reply.finishReason ?? (reply.toolCalls?.length ? 'tool_calls' : 'stop');
    const usageBody = {
      prompt_tokens: usage.prompt,
      completion_tokens: usage.completion,
      total_tokens: usage.prompt + usage.completion,
    };
    if (request.path === '/v1/completions') {
      return {
        id: 'cmpl-emu',
        object: 'text_completion',
        created: 0,
        model,
        choices: [{ index: 0, text, finish_reason: finish }],
        usage: usageBody,
      };
    }
    const message = {
      role: 'assistant',
      content: reply.toolCalls?.length && !text ? null : text,
      tool_calls: toolCallsBody(reply.toolCalls),
    };
    return {
      id: 'chatcmpl-emu',
      object: 'chat.completion',
      created: 0,
      model,
      choices: [{ index: 0, message, finish_reason: finish }],
      usage: usageBody,
    };
  }

  private defaultModel(): string {
    return this.options.models?.[0] ?? 'emulated-model';
  }

  private stream(
    request: RecordedRequest,
    reply: EmulatorReply,
    res: ServerResponse,
    fault?: EmulatorFault,
  ): void {
    if (request.path === '/chat') return sendJson(res, 200, this.completeBody(request, reply));
    const events = this.streamEvents(request, reply);
    const stopAt = fault && 'afterChunks' in fault ? (fault.afterChunks ?? 0) : events.length;
    res.writeHead(200, SSE_HEADERS);
    const delay = reply.chunkDelayMs ?? this.options.chunkDelayMs ?? 0;
    if (delay === 0 && !fault) return void res.end(events.map(sseLine).join('') + 'data: [DONE]\n\n');
    this.writeEvents(res, events, 0, stopAt, delay, fault);
  }

  private writeEvents(
    res: ServerResponse,
    events: unknown[],
    index: number,
    stopAt: number,
    delay: number,
    fault?: EmulatorFault,
  ): void {
    if (res.destroyed) return;
    if (index >= Math.min(stopAt, events.length)) return this.finishStream(res, fault);
    // wait for the flush so a fault that follows (reset, cut) happens after the client got these bytes
    res.write(sseLine(events[index]), () =>
      this.later(delay, () => this.writeEvents(res, events, index + 1, stopAt, delay, fault)),
    );
  }

  private finishStream(res: ServerResponse, fault?: EmulatorFault): void {
    if (!fault) return void res.end('data: [DONE]\n\n');
    if (fault.kind === 'stream-error') return void res.end(sseLine({ error: fault.error }));
    // truncate: end the socket without [DONE] (and without the chunked terminator); reset: hard RST
    if (fault.kind === 'truncate' && fault.clean) return void res.end();
    if (fault.kind === 'truncate') return void res.socket?.end();
    res.socket?.destroy();
  }

  private streamEvents(request: RecordedRequest, reply: EmulatorReply): unknown[] {
    const body = request.body as RequestBody;
    const model = reply.model ?? body.model ?? this.defaultModel();
    const chunks = reply.chunks ?? splitWords(replyText(reply));
    const chat = request.path === '/v1/chat/completions';
    const base = {
      id: chat ? 'chatcmpl-emu' : 'cmpl-emu',
      object: chat ? 'chat.completion.chunk' : 'text_completion',
      created: 0,
      model,
    };
    const choice = (part: Record<string, unknown>, finish: string | null = null) => ({
      ...base,
      choices: [{ index: 0, ...part, finish_reason: finish }],
    });
    const events: unknown[] = [];
    if (chat) events.push(choice({ delta: { role: 'assistant', content: '' } }));
    for (const piece of chunks)
      events.push(chat ? choice({ delta: { content: piece } }) : choice({ text: piece }));
    if (chat) events.push(...toolCallEvents(reply.toolCalls).map((delta) => choice({ delta })));
    const finish = reply.finishReason ?? (reply.toolCalls?.length ? 'tool_calls' : 'stop');
    events.push(chat ? choice({ delta: {} }, finish) : choice({ text: '' }, finish));
    if (body.stream_options?.include_usage) {
      const usage = usageOf(body, reply);
      events.push({
        ...base,
        choices: [],
        usage: {
          prompt_tokens: usage.prompt,
          completion_tokens: usage.completion,
          total_tokens: usage.prompt + usage.completion,
        },
      });
    }
    return events;
  }

  private later(ms: number, run: () => void): void {
    if (ms <= 0) return run();
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      run();
    }, ms);
    this.timers.add(timer);
  }
}

const SSE_HEADERS = { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' };

const FLOOD_PIECES = {
  'sse-line': { head: 'data: {"choices":[{"delta":{"content":"', piece: 'a'.repeat(65_536) },
  'sse-event': {
    head: '',
    piece: `${'data: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n'.repeat(800)}`,
  },
  'sse-answer': {
    head: '',
    piece:
      `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: 'a'.repeat(200) } }] })}\n\n`.repeat(
        200,
      ),
  },
  body: { head: '{"choices":[{"message":{"content":"', piece: 'a'.repeat(65_536) },
  'error-body': { head: '{"error":{"message":"', piece: 'a'.repeat(65_536) },
} as const;

/** Writes `bytes` of the shape as fast as the client reads, then ends; stops when the client goes. */
function flood(res: ServerResponse, shape: keyof typeof FLOOD_PIECES, bytes: number): void {
  const { head, piece } = FLOOD_PIECES[shape];
  const sse = shape.startsWith('sse');
  res.writeHead(shape === 'error-body' ? 500 : 200, {
    'content-type': sse ? 'text/event-stream' : 'application/json',
  });
  res.write(head);
  let sent = head.length;
  const pump = (): void => {
    while (sent < bytes && !res.destroyed) {
      sent += piece.length;
      if (!res.write(piece)) return void res.once('drain', pump);
    }
    if (!res.destroyed) res.end();
  };
  pump();
}

function sseLine(event: unknown): string {
  return `data: ${JSON.stringify(event)}\n\n`;
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  sendText(res, status, text, 'application/json', headers);
}

function sendText(
  res: ServerResponse,
  status: number,
  text: string,
  type = 'text/plain',
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function parseBody(raw: string): unknown {
  if (raw === '') return undefined;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}

function isStream(request: RecordedRequest): boolean {
  return (request.body as RequestBody | undefined)?.stream === true;
}

function echoText(body: RequestBody | undefined): string {
  const lastUser = body?.messages?.filter((m) => m.role === 'user').at(-1)?.content;
  const source = lastUser ?? body?.prompt ?? '';
  return `Echo: ${source.slice(-200)}`;
}

function replyText(reply: EmulatorReply): string {
  return reply.text ?? reply.chunks?.join('') ?? '';
}

/** "a b c" → ["a", " b", " c"]: roughly one token per word, joined back exactly. */
function splitWords(text: string): string[] {
  return text.match(/\s*\S+|\s+$/g) ?? [];
}

function usageOf(
  body: RequestBody | undefined,
  reply: EmulatorReply,
): { prompt: number; completion: number } {
  if (reply.usage) return { prompt: reply.usage.promptTokens, completion: reply.usage.completionTokens };
  const promptText = body?.prompt ?? body?.messages?.map((m) => m.content ?? '').join(' ') ?? '';
  return {
    prompt: splitWords(promptText).length,
    completion: reply.chunks?.length ?? splitWords(replyText(reply)).length,
  };
}

function toolCallsBody(calls: EmulatorToolCall[] | undefined): unknown {
  if (!calls?.length) return undefined;
  return calls.map((call, index) => ({
    id: call.id ?? `call${index}abcd`.slice(0, 9),
    type: 'function',
    function: { name: call.name, arguments: call.arguments },
  }));
}

/** vLLM streams a tool call as a head delta (id, name) followed by argument fragments. */
function toolCallEvents(calls: EmulatorToolCall[] | undefined): unknown[] {
  if (!calls?.length) return [];
  return calls.flatMap((call, index) => {
    const id = call.id ?? `call${index}abcd`.slice(0, 9);
    const head = {
      tool_calls: [{ index, id, type: 'function', function: { name: call.name, arguments: '' } }],
    };
    const half = Math.ceil(call.arguments.length / 2);
    const pieces = [call.arguments.slice(0, half), call.arguments.slice(half)].filter((p) => p !== '');
    return [
      head,
      ...pieces.map((arguments_) => ({ tool_calls: [{ index, function: { arguments: arguments_ } }] })),
    ];
  });
}

/** Starts an emulator on 127.0.0.1 with an ephemeral port. Always `await emu.close()` in `afterAll`. */
export async function startModelServerEmulator(options: EmulatorOptions = {}): Promise<ModelServerEmulator> {
  const emulator = new Emulator(options);
  await emulator.listen();
  return emulator;
}

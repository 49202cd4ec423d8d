import {
  emulatorFaults,
  errorBodies,
  startModelServerEmulator,
  type ModelServerEmulator,
} from '@app/testing';

interface ChatBody {
  model: string;
  choices: Array<{ finish_reason: string; message: { tool_calls: unknown[] } }>;
}
interface CompletionChunk {
  choices: Array<{ text?: string }>;
  usage?: unknown;
}

/** The emulator itself, spoken to with plain fetch so the adapters' tests can trust it. */
describe('model-server emulator', () => {
  let emu: ModelServerEmulator;

  beforeAll(async () => {
    emu = await startModelServerEmulator({ models: ['starcoder2-7b'] });
  });
  afterEach(() => emu.reset());
  afterAll(() => emu.close());

  const post = (path: string, body: unknown, signal?: AbortSignal) =>
    fetch(`${emu.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal,
    });
  const user = { messages: [{ role: 'user', content: 'write fizzbuzz' }] };

  it('answers local-models /chat with the echo reply and token counts', async () => {
    const res = await post('/chat', { ...user, max_tokens: 10, temperature: 0.1 });
    const body = await res.json();
    expect(body).toEqual({
      response: 'Echo: write fizzbuzz',
      response_tokens: 3,
      input_tokens: 2,
      total_tokens: 5,
    });
    expect(emu.requests[0]).toMatchObject({ method: 'POST', path: '/chat', body: { max_tokens: 10 } });
  });

  it('answers chat completions with scripted text and tool calls', async () => {
    emu.script({ text: '', toolCalls: [{ id: 'abcdefghi', name: 'run', arguments: '{"a":1}' }] });
    const body = (await (await post('/v1/chat/completions', user)).json()) as ChatBody;
    expect(body.model).toBe('starcoder2-7b');
    expect(body.choices[0]?.finish_reason).toBe('tool_calls');
    expect(body.choices[0]?.message.tool_calls[0]).toEqual({
      id: 'abcdefghi',
      type: 'function',
      function: { name: 'run', arguments: '{"a":1}' },
    });
  });

  it('streams completions as SSE with a usage chunk and [DONE]', async () => {
    emu.script({ chunks: ['def', ' f', '():'] });
    const res = await post('/v1/completions', {
      prompt: 'x',
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const events = (await res.text()).split('\n\n').filter(Boolean);
    expect(events.at(-1)).toBe('data: [DONE]');
    const parsed = events.slice(0, -1).map((e) => JSON.parse(e.slice(6)) as CompletionChunk);
    expect(parsed.map((e) => e.choices[0]?.text ?? '').join('')).toBe('def f():');
    expect(parsed.at(-1)?.usage).toEqual({ prompt_tokens: 1, completion_tokens: 3, total_tokens: 4 });
  });

  it('streams chat tool-call deltas in pieces', async () => {
    emu.script({ toolCalls: [{ name: 'run', arguments: '{"cmd":"ls"}' }] });
    const text = await (await post('/v1/chat/completions', { ...user, stream: true })).text();
    expect(text).toContain('"tool_calls":[{"index":0,"id":"call0abcd"');
    expect(text).toContain('"finish_reason":"tool_calls"');
  });

  it('injects 5xx bursts then recovers, and 429 with Retry-After', async () => {
    emu.script(emulatorFaults.serverErrors(2), emulatorFaults.rateLimited(3));
    expect((await post('/v1/chat/completions', user)).status).toBe(503);
    expect((await post('/v1/chat/completions', user)).status).toBe(503);
    const limited = await post('/v1/chat/completions', user);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('3');
    expect(await limited.json()).toEqual(errorBodies.tgi('Model is overloaded'));
    expect((await post('/v1/chat/completions', user)).status).toBe(200);
  });

  it('counts an aborted request when the client gives up on a hang', async () => {
    emu.script(emulatorFaults.hang());
    const controller = new AbortController();
    const pending = post('/v1/chat/completions', user, controller.signal);
    await emu.waitForRequests(1);
    controller.abort();
    await expect(pending).rejects.toThrow();
    await emu.waitForAborts(1);
    expect(emu.abortedCount).toBe(1);
  });

  it('sends malformed JSON, truncated streams, mid-stream errors and resets', async () => {
    emu.script(
      emulatorFaults.malformed(),
      emulatorFaults.truncate(2, ['a', 'b', 'c'], true),
      emulatorFaults.streamError(1, { message: 'boom' }, ['a', 'b']),
      emulatorFaults.reset(),
    );
    await expect((await post('/v1/chat/completions', user)).json()).rejects.toThrow();
    const truncated = await (await post('/v1/completions', { prompt: 'p', stream: true })).text();
    expect(truncated).not.toContain('[DONE]');
    const errored = await (await post('/v1/completions', { prompt: 'p', stream: true })).text();
    expect(errored).toContain('data: {"error":{"message":"boom"}}');
    await expect(post('/v1/completions', { prompt: 'p' })).rejects.toThrow();
  });

  it('serves health, models and a scripted unhealthy state', async () => {
    expect(await (await fetch(`${emu.url}/v1/models`)).json()).toMatchObject({
      data: [{ id: 'starcoder2-7b' }],
    });
    expect((await fetch(`${emu.url}/health`)).status).toBe(200);
    emu.setHealth({ status: 503, body: errorBodies.llamaCpp('Loading model') });
    expect((await fetch(`${emu.url}/health`)).status).toBe(503);
    expect(await (await fetch(`${emu.url}/`)).text()).toBe('Ollama is running');
  });
});

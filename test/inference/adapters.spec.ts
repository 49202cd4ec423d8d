import { isInferenceError, type InferenceError, type StreamEvent } from '@app/inference';
import { startModelServerEmulator, type ModelServerEmulator, type RecordedRequest } from '@app/testing';
import { ClientFactory, USER, collect, rejectionOf } from './helpers';

/** Success paths of the three HTTP adapters against the emulator: bodies sent, answers parsed, streaming. */
describe('HTTP adapters', () => {
  let emu: ModelServerEmulator;
  const clients = new ClientFactory();

  beforeAll(async () => {
    emu = await startModelServerEmulator({ models: ['mistral-7b-instruct', 'other'] });
  });
  afterEach(async () => {
    await clients.closeAll();
    emu.reset();
  });
  afterAll(() => emu.close());

  const posts = (): RecordedRequest[] => emu.requests.filter((r) => r.method === 'POST');
  const lastBody = () => posts().at(-1)?.body as Record<string, unknown>;

  describe('local-models (POST /chat)', () => {
    it('sends messages, max_tokens and temperature and maps the answer with usage', async () => {
      const client = clients.create({ urls: [`${emu.url}/chat`] });
      emu.script({ text: 'def fizzbuzz(): pass', usage: { promptTokens: 12, completionTokens: 5 } });
      const result = await client.generate({ messages: USER, maxTokens: 64, temperature: 0.1 });
      expect(client.protocol).toBe('local-models');
      expect(lastBody()).toEqual({ messages: USER, max_tokens: 64, temperature: 0.1 });
      expect(result).toMatchObject({
        text: 'def fizzbuzz(): pass',
        finishReason: 'stop',
        usage: { promptTokens: 12, completionTokens: 5, totalTokens: 17 },
        endpoint: `${emu.url}/chat`,
        attempts: 1,
      });
    });

    it('does not stream: onToken receives the whole text once', async () => {
      const client = clients.create({ urls: [`${emu.url}/chat`] });
      const tokens: string[] = [];
      emu.script({ text: 'all at once' });
      await client.generate({ messages: USER, onToken: (t) => tokens.push(t) });
      expect(tokens).toEqual(['all at once']);
      expect(lastBody().stream).toBeUndefined();
    });

    it('maps tool messages to user turns (the runtime knows no tool role)', async () => {
      const client = clients.create({ urls: [`${emu.url}/chat`] });
      await client.generate({ messages: [...USER, { role: 'tool', content: 'ok', toolCallId: 'x' }] });
      expect((lastBody().messages as Array<{ role: string }>).map((m) => m.role)).toEqual(['user', 'user']);
    });

    it('streams one token event then done through stream()', async () => {
      const client = clients.create({ urls: [`${emu.url}/chat`] });
      emu.script({ text: 'whole' });
      const events = await collect(client.stream({ messages: USER }));
      expect(events.map((e) => e.type)).toEqual(['token', 'done']);
    });
  });

  describe('openai-chat (/v1/chat/completions)', () => {
    it('discovers the model from /v1/models once and caches it', async () => {
      const client = clients.create({ urls: [`${emu.url}/v1/chat/completions`], role: 'planner' });
      const first = await client.generate({ messages: USER });
      await client.generate({ messages: USER });
      expect(first.model).toBe('mistral-7b-instruct');
      expect(emu.requests.filter((r) => r.path === '/v1/models')).toHaveLength(1);
      expect(lastBody().model).toBe('mistral-7b-instruct');
    });

    it('sends the configured model and the bearer API key', async () => {
      const client = clients.create({ urls: [`${emu.url}/v1`], model: 'my-model', apiKey: 'sk-test' });
      await client.generate({ messages: USER, stop: ['\n\n'] });
      expect(client.protocol).toBe('openai-chat');
      expect(posts()[0]?.headers.authorization).toBe('Bearer sk-test');
      expect(lastBody()).toMatchObject({ model: 'my-model', stop: ['\n\n'], stream: false });
      expect(emu.requests.some((r) => r.path === '/v1/models')).toBe(false);
    });

    it('sends the bearer API key on the /v1/models lookup and the health probe too (vLLM --api-key)', async () => {
      const client = clients.create({ urls: [`${emu.url}/v1/chat/completions`], apiKey: 'sk-test' });
      await client.generate({ messages: USER });
      await client.checkHealth();
      const gets = emu.requests.filter((r) => r.method === 'GET');
      // the probe asks the guarded model list after /health: /health alone says nothing about the key
      expect(gets.map((r) => r.path)).toEqual(['/v1/models', '/health', '/v1/models']);
      expect(gets.map((r) => r.headers.authorization)).toEqual([
        'Bearer sk-test',
        'Bearer sk-test',
        'Bearer sk-test',
      ]);
    });

    it('parses a non-streamed answer with usage', async () => {
      const client = clients.create({ urls: [emu.url], model: 'm' });
      emu.script({ text: 'plan: do it', usage: { promptTokens: 3, completionTokens: 4 } });
      const result = await client.generate({ messages: USER });
      expect(result).toMatchObject({
        text: 'plan: do it',
        finishReason: 'stop',
        usage: { totalTokens: 7 },
        model: 'm',
      });
      expect(result.timings.totalMs).toBeGreaterThanOrEqual(result.timings.firstTokenMs);
    });

    it('streams deltas to onToken in order, with include_usage and the usage chunk', async () => {
      const client = clients.create({ urls: [`${emu.url}/v1/chat/completions`], model: 'm' });
      emu.script({ chunks: ['def', ' f', '():', ' pass'], usage: { promptTokens: 9, completionTokens: 4 } });
      const tokens: string[] = [];
      const result = await client.generate({ messages: USER, onToken: (t) => tokens.push(t) });
      expect(tokens).toEqual(['def', ' f', '():', ' pass']);
      expect(result.text).toBe('def f(): pass');
      expect(result.usage).toEqual({ promptTokens: 9, completionTokens: 4, totalTokens: 13 });
      expect(lastBody()).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    });

    it('yields token events then one done event from stream()', async () => {
      const client = clients.create({ urls: [emu.url], model: 'm' });
      emu.script({ chunks: ['a', 'b'] });
      const events: StreamEvent[] = await collect(client.stream({ messages: USER }));
      expect(events.slice(0, 2)).toEqual([
        { type: 'token', text: 'a' },
        { type: 'token', text: 'b' },
      ]);
      expect(events[2]).toMatchObject({ type: 'done', result: { text: 'ab' } });
    });

    it('sends tools and history tool calls, and parses tool_calls (non-streamed)', async () => {
      const client = clients.create({ urls: [emu.url], model: 'm' });
      emu.script({ toolCalls: [{ id: 'Ab3dE6gH9', name: 'generate_code', arguments: '{"task":"x"}' }] });
      const history = [
        ...USER,
        {
          role: 'assistant' as const,
          content: '',
          toolCalls: [{ id: 'Zz1', name: 'review_code', arguments: '{}' }],
        },
        { role: 'tool' as const, content: 'fine', toolCallId: 'Zz1', name: 'review_code' },
      ];
      const tools = [{ name: 'generate_code', description: 'writes code', parameters: { type: 'object' } }];
      const result = await client.generate({ messages: history, tools });
      expect(result.finishReason).toBe('tool_calls');
      expect(result.toolCalls).toEqual([
        { id: 'Ab3dE6gH9', name: 'generate_code', arguments: '{"task":"x"}' },
      ]);
      expect(lastBody().tools).toEqual([{ type: 'function', function: tools[0] }]);
      expect((lastBody().messages as unknown[])[1]).toEqual({
        role: 'assistant',
        content: '',
        tool_calls: [{ id: 'Zz1', type: 'function', function: { name: 'review_code', arguments: '{}' } }],
      });
      expect((lastBody().messages as unknown[])[2]).toEqual({
        role: 'tool',
        content: 'fine',
        tool_call_id: 'Zz1',
        name: 'review_code',
      });
    });

    it('assembles streamed tool-call deltas', async () => {
      const client = clients.create({ urls: [emu.url], model: 'm' });
      emu.script({
        toolCalls: [
          { id: 'call00001', name: 'generate_code', arguments: '{"task":"fizzbuzz","language":"python"}' },
          { id: 'call00002', name: 'review_code', arguments: '{"code":"x"}' },
        ],
      });
      const result = await client.generate({ messages: USER, onToken: () => undefined });
      expect(result.finishReason).toBe('tool_calls');
      expect(result.toolCalls).toEqual([
        { id: 'call00001', name: 'generate_code', arguments: '{"task":"fizzbuzz","language":"python"}' },
        { id: 'call00002', name: 'review_code', arguments: '{"code":"x"}' },
      ]);
    });

    it('passes a JSON Schema as response_format json_schema (strict)', async () => {
      const client = clients.create({ urls: [emu.url], model: 'm' });
      const schema = { type: 'object', properties: { ok: { type: 'boolean' } } };
      await client.generate({ messages: USER, jsonSchema: { name: 'verdict', schema } });
      expect(lastBody().response_format).toEqual({
        type: 'json_schema',
        json_schema: { name: 'verdict', schema, strict: true },
      });
    });

    it('accepts a whole JSON answer from a server that ignores stream: true', async () => {
      const client = clients.create({ urls: [emu.url], model: 'm' });
      const answer = { choices: [{ message: { content: 'at once' }, finish_reason: 'stop' }] };
      emu.script({ kind: 'error', status: 200, body: answer });
      const tokens: string[] = [];
      const result = await client.generate({ messages: USER, onToken: (t) => tokens.push(t) });
      expect(tokens).toEqual(['at once']);
      expect(result.text).toBe('at once');
    });

    it('rejects an HTML page (wrong URL) with INVALID_RESPONSE asking about the protocol', async () => {
      const client = clients.create({ urls: [emu.url], model: 'm' });
      emu.script({ kind: 'error', status: 200, body: '<html><body>Open WebUI</body></html>' });
      const error = (await rejectionOf(
        client.generate({ messages: USER, onToken: () => undefined }),
      )) as InferenceError;
      expect(error.code).toBe('INVALID_RESPONSE');
      expect(error.message).toContain('<html><body>Open WebUI');
      expect(error.message).toContain('is the protocol right?');
    });

    it('never shows credentials embedded in an endpoint URL', async () => {
      const withCredentials = emu.url.replace('http://', 'http://user:secret@');
      const client = clients.create({ urls: [`${withCredentials}/v1`], model: 'm' });
      const result = await client.generate({ messages: USER });
      expect(result.endpoint).toBe(`${emu.url}/v1`);
      expect(JSON.stringify(await client.checkHealth())).not.toContain('secret');
    });

    it('reports finish_reason length', async () => {
      const client = clients.create({ urls: [emu.url], model: 'm' });
      emu.script({ text: 'cut', finishReason: 'length' }, { chunks: ['cu', 't'], finishReason: 'length' });
      expect((await client.generate({ messages: USER })).finishReason).toBe('length');
      expect((await client.generate({ messages: USER, onToken: () => undefined })).finishReason).toBe(
        'length',
      );
    });
  });

  describe('openai-completions (/v1/completions)', () => {
    it('renders a StarCoder prompt with the template stops for the code role', async () => {
      const client = clients.create({ urls: [`${emu.url}/v1/completions`], model: 'starcoder2-7b' });
      emu.script({ text: 'print(1)' });
      const result = await client.generate({ messages: USER, stop: ['```'] });
      expect(client.protocol).toBe('openai-completions');
      expect(result.text).toBe('print(1)');
      const body = lastBody();
      expect(body.prompt).toContain('### Instruction\nwrite fizzbuzz in python');
      expect(String(body.prompt).endsWith('### Response\n')).toBe(true);
      expect(body.stop).toEqual(['```', '### Instruction', '<|endoftext|>', '<file_sep>']);
      expect(body.messages).toBeUndefined();
    });

    it('uses the Mistral [INST] template without a literal BOS for the planner role', async () => {
      const client = clients.create({ urls: [`${emu.url}/v1/completions`], model: 'm', role: 'planner' });
      await client.generate({ messages: [{ role: 'system', content: 'be brief' }, ...USER] });
      expect(lastBody().prompt).toBe('[INST] be brief\n\nwrite fizzbuzz in python [/INST]');
    });

    it('accepts an explicit template family or function', async () => {
      const chatml = clients.create({ urls: [`${emu.url}/v1/completions`], model: 'm', template: 'chatml' });
      await chatml.generate({ messages: USER });
      expect(lastBody().prompt).toContain('<|im_start|>user');
      const custom = clients.create({
        urls: [`${emu.url}/v1/completions`],
        model: 'm',
        template: () => ({ prompt: 'RAW', stop: [] }),
      });
      await custom.generate({ messages: USER });
      expect(lastBody()).toMatchObject({ prompt: 'RAW' });
      expect(lastBody().stop).toBeUndefined();
    });

    it('streams completion text deltas with usage', async () => {
      const client = clients.create({ urls: [`${emu.url}/v1/completions`], model: 'm' });
      emu.script({ chunks: ['for', ' i', ' in'], usage: { promptTokens: 20, completionTokens: 3 } });
      const tokens: string[] = [];
      const result = await client.generate({ messages: USER, onToken: (t) => tokens.push(t) });
      expect(tokens.join('')).toBe('for i in');
      expect(result).toMatchObject({ text: 'for i in', finishReason: 'stop', usage: { totalTokens: 23 } });
    });

    it('sends response_format for structured output', async () => {
      const client = clients.create({ urls: [`${emu.url}/v1/completions`], model: 'm' });
      await client.generate({ messages: USER, jsonSchema: { name: 'x', schema: { type: 'object' } } });
      expect(lastBody().response_format).toMatchObject({ type: 'json_schema' });
      expect(client.capabilities).toEqual({ streaming: true, structuredOutput: true, nativeTools: false });
    });
  });

  describe('configuration errors', () => {
    it('rejects an endpoint without URLs and an invalid URL with CONFIG', () => {
      expect(() => clients.create({ urls: [], protocol: 'openai-chat' })).toThrow(/STARCODER_ENDPOINT/);
      const error = (() => {
        try {
          clients.create({ urls: ['not a url'], protocol: 'openai-chat' });
        } catch (e) {
          return e as InferenceError;
        }
        return undefined;
      })();
      expect(error?.code).toBe('CONFIG');
    });

    it('fails with CONFIG naming MISTRAL_MODEL when /v1/models lists nothing', async () => {
      const empty = await startModelServerEmulator({ models: [] });
      try {
        const client = clients.create({ urls: [empty.url], role: 'planner' });
        const error = (await rejectionOf(client.generate({ messages: USER }))) as InferenceError;
        expect(isInferenceError(error) && error.code).toBe('CONFIG');
        expect(error.message).toContain('MISTRAL_MODEL');
      } finally {
        await clients.closeAll();
        await empty.close();
      }
    });
  });
});

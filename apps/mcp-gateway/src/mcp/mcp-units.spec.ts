import { PROMPT_TEMPLATES } from '@app/prompts';
import { GatewayMetrics } from '../metrics/gateway-metrics';
import { GatewayError } from '../tools/gateway.error';
import { toCallToolResult } from './call-tool-result';
import { InvalidParamsError } from './mcp-protocol';
import { ProgressReporter, type ProgressNotice } from './progress-reporter';
import { PromptCatalog } from './prompt-catalog';
import { McpSessionRegistry } from './v1/session-registry';

describe('ProgressReporter', () => {
  it('sends the first token at once, then at most one notification per interval, with increasing progress', () => {
    let now = 1_000;
    const sent: ProgressNotice[] = [];
    const reporter = new ProgressReporter(
      'tok-1',
      async (n) => void sent.push(n),
      () => now,
      250,
    );
    for (let i = 0; i < 10; i += 1) {
      reporter.onToken();
      now += 50;
    }
    expect(sent.map((n) => n.params.progress)).toEqual([1, 6]);
    expect(sent[0]).toEqual({
      method: 'notifications/progress',
      params: { progressToken: 'tok-1', progress: 1, message: 'generating: 1 tokens so far' },
    });
  });

  it('tells a caller waiting for the model how far the download is, then counts tokens above that', () => {
    let now = 1_000;
    const sent: ProgressNotice[] = [];
    const reporter = new ProgressReporter(
      'tok-2',
      async (n) => void sent.push(n),
      () => now,
      250,
    );
    reporter.onWaiting({
      phase: 'downloading',
      percent: 40,
      message: 'downloading m.gguf: 40% (4 MB of 10 MB)',
    });
    now += 300;
    reporter.onWaiting({ phase: 'loading', message: 'loading m.gguf' });
    now += 300;
    reporter.onToken();
    expect(sent.map((n) => [n.params.progress, n.params.message])).toEqual([
      [1, 'waiting for the model: downloading m.gguf: 40% (4 MB of 10 MB)'],
      [2, 'waiting for the model: loading m.gguf'],
      [3, 'generating: 1 tokens so far'],
    ]);
  });

  it('a failing send (client gone) does not throw into the model stream', async () => {
    const reporter = new ProgressReporter(7, () => Promise.reject(new Error('closed')));
    expect(() => reporter.onToken()).not.toThrow();
    await new Promise((resolve) => setImmediate(resolve));
  });
});

describe('toCallToolResult', () => {
  it('puts the value in structuredContent and a JSON copy in content', () => {
    const result = toCallToolResult({ ok: true, value: { a: 1 } });
    expect(result).toEqual({
      content: [{ type: 'text', text: '{\n  "a": 1\n}' }],
      structuredContent: { a: 1 },
    });
  });

  it('turns failures into isError results that start with the error code', () => {
    const result = toCallToolResult({
      ok: false,
      error: new GatewayError('TIMEOUT', 'no answer in 60 s; raise MODEL_TIMEOUT_SECONDS'),
    });
    expect(result).toEqual({
      isError: true,
      content: [{ type: 'text', text: 'TIMEOUT: no answer in 60 s; raise MODEL_TIMEOUT_SECONDS' }],
    });
  });
});

describe('PromptCatalog', () => {
  const catalog = new PromptCatalog(PROMPT_TEMPLATES);

  it('lists the templates with their arguments', () => {
    const review = catalog.listPromptsResult.prompts.find((p) => p.name === 'review_code');
    expect(review?.arguments?.find((a) => a.name === 'code')).toMatchObject({ required: true });
  });

  it('renders a prompt as user/assistant messages and refuses missing required arguments', () => {
    const result = catalog.get({ name: 'formalize_task', arguments: { task: 'a CSV parser' } });
    expect(result.messages.every((m) => m.role === 'user' || m.role === 'assistant')).toBe(true);
    expect(JSON.stringify(result.messages)).toContain('a CSV parser');
    expect(() => catalog.get({ name: 'formalize_task', arguments: {} })).toThrow(InvalidParamsError);
    expect(() => catalog.get({ name: 'formalize_task', arguments: {} })).toThrow(/task/);
  });

  it('completes language values, nothing for other arguments, and refuses unknown refs', () => {
    const ref = { type: 'ref/prompt' as const, name: 'generate_code' };
    expect(
      catalog.complete({ ref, argument: { name: 'language', value: 'type' } }).completion.values,
    ).toContain('typescript');
    expect(catalog.complete({ ref, argument: { name: 'task', value: 'x' } }).completion).toEqual({
      values: [],
      total: 0,
      hasMore: false,
    });
    expect(() =>
      catalog.complete({
        ref: { type: 'ref/prompt', name: 'nope' },
        argument: { name: 'language', value: '' },
      }),
    ).toThrow(/Unknown prompt/);
    expect(() =>
      catalog.complete({
        ref: { type: 'ref/resource', uri: 'file:///x' },
        argument: { name: 'a', value: '' },
      }),
    ).toThrow(/resource/);
  });
});

describe('McpSessionRegistry', () => {
  function registry(ttlMs: number, maxSessions: number) {
    const metrics = new GatewayMetrics();
    const config = { sessionIdleTtlMs: ttlMs, maxSessions } as never;
    const sessions = new McpSessionRegistry(config, metrics);
    let now = 0;
    sessions.now = () => now;
    const closed: string[] = [];
    const add = (id: string, kind: 'streamable-http' | 'sse' = 'streamable-http') =>
      sessions.add({
        id,
        kind,
        transport: {} as never,
        server: { close: async () => void closed.push(id) } as never,
      });
    return { sessions, metrics, add, closed, advance: (ms: number) => (now += ms) };
  }

  it('closes sessions of both kinds idle longer than the TTL; touching keeps a session alive', async () => {
    const { sessions, add, closed, advance } = registry(1_000, 10);
    add('a');
    add('b');
    add('s', 'sse');
    advance(600);
    expect(sessions.touch('b', 'streamable-http', undefined)).toBeDefined();
    advance(600);
    expect(await sessions.evictIdle()).toBe(2);
    expect(closed).toEqual(['a', 's']);
    expect(sessions.touch('a', 'streamable-http', undefined)).toBeUndefined();
    expect(sessions.touch('b', 'sse', undefined)).toBeUndefined();
    expect(sessions.size).toBe(1);
    await sessions.onModuleDestroy();
  });

  it('caps open sessions and reports the count per transport', async () => {
    const { sessions, metrics, add } = registry(60_000, 2);
    add('a');
    expect(sessions.hasRoom()).toBe(true);
    add('b', 'sse');
    expect(sessions.hasRoom()).toBe(false);
    expect(await metrics.render()).toMatch(/mcp_gateway_open_sessions\{transport="sse"\} 1/);
    sessions.remove('a');
    sessions.remove('a');
    expect(sessions.hasRoom()).toBe(true);
    await sessions.closeAll();
    expect(sessions.size).toBe(0);
    expect(await metrics.render()).toMatch(/mcp_gateway_open_sessions\{transport="streamable-http"\} 0/);
    await sessions.onModuleDestroy();
  });
});

import { join } from 'node:path';
import { TOOL_CONTRACTS } from '@app/contracts';
import {
  chooseContextSize,
  chooseThreads,
  createProgressBar,
  DEFAULT_MODEL,
  EmbeddedModelRegistry,
  formatBytes,
  GenerationQueue,
  resolveModelSource,
  toChatHistory,
  toGrammarSchema,
} from '../../libs/inference/src/embedded';
import type { LoadedModel } from '../../libs/inference/src/embedded/model-registry';

describe('model source resolution', () => {
  const base = { cacheDir: '/cache', huggingFaceBaseUrl: 'http://hub.test/' };

  it('uses the pinned default model in the cache when nothing is configured', () => {
    const source = resolveModelSource({ ...base, modelFile: '  ' });
    expect(source).toMatchObject({
      kind: 'remote',
      isDefault: true,
      path: join('/cache', 'Qwen--Qwen2.5-Coder-1.5B-Instruct-GGUF', DEFAULT_MODEL.file),
      url: `http://hub.test/${DEFAULT_MODEL.repository}/resolve/main/${DEFAULT_MODEL.file}`,
    });
  });

  it('turns an hf: URI with revision, sub-folder and sha256 into a download URL and cache path', () => {
    const sha = 'AB'.repeat(32);
    const source = resolveModelSource({
      ...base,
      modelFile: `hf:owner/repo@v1.0/q4/model file.gguf#sha256=${sha}`,
    });
    expect(source).toEqual({
      kind: 'remote',
      isDefault: false,
      path: join('/cache', 'owner--repo', 'q4', 'model file.gguf'),
      url: 'http://hub.test/owner/repo/resolve/v1.0/q4/model%20file.gguf',
      sha256: sha.toLowerCase(),
    });
  });

  it('keeps local paths local (relative ones resolved)', () => {
    expect(resolveModelSource({ ...base, modelFile: '/models/a.gguf' })).toEqual({
      kind: 'local',
      path: '/models/a.gguf',
    });
    expect(resolveModelSource({ ...base, modelFile: 'a.gguf' })).toEqual({
      kind: 'local',
      path: join(process.cwd(), 'a.gguf'),
    });
  });

  it('rejects malformed hf: URIs and checksums with CONFIG', () => {
    expect(() => resolveModelSource({ ...base, modelFile: 'hf:owner/model.gguf' })).toThrow(
      /hf:<owner>\/<repo>\/<file>\.gguf/,
    );
    expect(() => resolveModelSource({ ...base, modelFile: 'hf:o/r/m.gguf#sha256=xyz' })).toThrow(/64 hex/);
  });
});

describe('JSON Schema → grammar schema', () => {
  it('keeps shape keywords, drops what grammars cannot enforce, and closes objects', () => {
    const converted = toGrammarSchema({
      type: 'object',
      properties: {
        score: { type: 'number', minimum: 0, maximum: 10 },
        name: { type: 'string', maxLength: 5, pattern: '^a' },
        when: { type: 'string', format: 'date' },
        kind: { anyOf: [{ const: 'a' }, { type: 'null' }] },
        tags: { type: 'array', items: { enum: ['x', 'y'] }, maxItems: 2 },
        either: { type: ['string', 'integer'] },
        ref: { $ref: '#/$defs/Thing' },
        anything: {},
      },
      required: ['score'],
      $defs: { Thing: { type: 'boolean', description: 'a flag' } },
    });
    expect(converted).toEqual({
      type: 'object',
      properties: {
        score: { type: 'number' },
        name: { type: 'string', maxLength: 5 },
        when: { type: 'string', format: 'date' },
        kind: { oneOf: [{ const: 'a' }, { type: 'null' }] },
        tags: { type: 'array', items: { enum: ['x', 'y'] }, maxItems: 2 },
        either: { oneOf: [{ type: 'string' }, { type: 'integer' }] },
        ref: { type: 'boolean', description: 'a flag' },
        anything: { type: ['string', 'number', 'boolean', 'null'] },
      },
      required: ['score'],
      additionalProperties: false,
    });
  });

  it('converts every tool contract schema', () => {
    for (const contract of Object.values(TOOL_CONTRACTS)) {
      expect(toGrammarSchema(contract.outputJsonSchema)).toMatchObject({
        type: 'object',
        additionalProperties: false,
      });
      expect(toGrammarSchema(contract.inputJsonSchema)).toMatchObject({ type: 'object' });
    }
  });
});

describe('chat history mapping', () => {
  it('maps roles, merges consecutive turns and renders tool traffic as text', () => {
    const history = toChatHistory([
      { role: 'system', content: 'a' },
      { role: 'system', content: 'b' },
      { role: 'user', content: 'q' },
      {
        role: 'assistant',
        content: '',
        toolCalls: [{ id: '1', name: 'review_code', arguments: '{"code":"x"}' }],
      },
      { role: 'tool', content: '{"ok":true}', name: 'review_code', toolCallId: '1' },
      { role: 'user', content: 'and?' },
      { role: 'assistant', content: 'done' },
      { role: 'assistant', content: 'more' },
    ]);
    expect(history).toEqual([
      { type: 'system', text: 'a\n\nb' },
      { type: 'user', text: 'q' },
      { type: 'model', response: ['Calling tool review_code with {"code":"x"}'] },
      { type: 'user', text: 'Result of review_code:\n{"ok":true}\n\nand?' },
      { type: 'model', response: ['done', '\n\nmore'] },
    ]);
  });
});

describe('machine resources', () => {
  it('never uses more threads than physical cores, and at least one', () => {
    expect(chooseThreads(undefined, 8)).toBe(8);
    expect(chooseThreads(16, 8)).toBe(8);
    expect(chooseThreads(1, 8)).toBe(1);
    expect(chooseThreads(0, 0)).toBe(1);
  });

  it('caps the context at the training size and otherwise lets memory decide in a range', () => {
    expect(chooseContextSize(4096, 512)).toBe(512);
    expect(chooseContextSize(undefined, 32768)).toEqual({ min: 2048, max: 8192 });
    expect(chooseContextSize(undefined, 512)).toEqual({ min: 512, max: 512 });
  });
});

describe('download progress bar', () => {
  it('redraws one bar on a terminal, throttled, ending with a newline', () => {
    const writes: string[] = [];
    let now = 0;
    const bar = createProgressBar('model', { isTTY: true, write: (text) => writes.push(text) }, () => now);
    bar({ receivedBytes: 0, totalBytes: 2048, resumedFromBytes: 0 });
    now = 1000;
    bar({ receivedBytes: 1024, totalBytes: 2048, resumedFromBytes: 0 });
    bar({ receivedBytes: 1500, totalBytes: 2048, resumedFromBytes: 0 });
    bar({ receivedBytes: 2048, totalBytes: 2048, resumedFromBytes: 0 });
    expect(writes).toHaveLength(3);
    expect(writes[1]).toBe(`\rmodel [${'#'.repeat(15)}${'.'.repeat(15)}] 50% 1.0 KB / 2.0 KB`);
    expect(writes[2]!.endsWith('100% 2.0 KB / 2.0 KB\n')).toBe(true);
  });

  it('writes a line per 10 % into logs', () => {
    const writes: string[] = [];
    const bar = createProgressBar('m', { write: (text) => writes.push(text) });
    for (let received = 0; received <= 100; received += 5)
      bar({ receivedBytes: received, totalBytes: 100, resumedFromBytes: 0 });
    expect(writes).toHaveLength(11);
    bar({ receivedBytes: 3 * 1024 * 1024, resumedFromBytes: 0 });
    expect(formatBytes(3 * 1024 ** 3)).toBe('3.0 GB');
  });
});

describe('generation queue', () => {
  it('runs tasks one at a time in arrival order', async () => {
    const queue = new GenerationQueue();
    const events: string[] = [];
    const task = (name: string) => async () => {
      events.push(`${name}:start`);
      await new Promise((resolve) => setTimeout(resolve, 5));
      events.push(`${name}:end`);
    };
    await Promise.all([queue.run(task('a')), queue.run(task('b')), queue.run(task('c'))]);
    expect(events).toEqual(['a:start', 'a:end', 'b:start', 'b:end', 'c:start', 'c:end']);
    expect(queue.busy).toBe(false);
  });

  it('drops a waiter whose signal aborts and keeps the others in order', async () => {
    const queue = new GenerationQueue();
    let release!: () => void;
    const first = queue.run(() => new Promise<void>((resolve) => (release = resolve)));
    const controller = new AbortController();
    const dropped = queue.run(async () => 'never', controller.signal);
    const kept = queue.run(async () => 'kept');
    expect(queue.pending).toBe(2);
    controller.abort(new Error('user left'));
    await expect(dropped).rejects.toThrow('user left');
    expect(queue.pending).toBe(1);
    release();
    await first;
    await expect(kept).resolves.toBe('kept');
  });
});

describe('shared model registry', () => {
  const fakeLoaded = {
    chat: { dispose: () => undefined },
    context: { dispose: async () => undefined },
    model: { dispose: async () => undefined },
  };

  it('shares one load between concurrent first calls and retries after a failure', async () => {
    const registry = new EmbeddedModelRegistry();
    let loads = 0;
    const shared = registry.acquire('/m.gguf', async () => {
      loads++;
      if (loads === 1) throw new Error('offline');
      return fakeLoaded as unknown as LoadedModel;
    });
    await expect(Promise.all([shared.get(), shared.get()])).rejects.toThrow('offline');
    expect(loads).toBe(1);
    expect(shared.state).toBe('failed');
    const [a, b] = await Promise.all([shared.get(), shared.get()]);
    expect(a).toBe(b);
    expect(loads).toBe(2);
    expect(shared.state).toBe('loaded');
    await registry.release(shared);
    expect(registry.size).toBe(0);
  });
});

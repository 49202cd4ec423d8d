import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createEmbeddedModelClient,
  downloadModel,
  EmbeddedModelRegistry,
  type DownloadProgress,
} from '../../libs/inference/src/embedded';
import { buildTinyGguf } from '../support/tiny-gguf';
import { startFileServer, type FileServer, type FileServerOptions } from './support/file-server';

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

async function exists(path: string): Promise<boolean> {
  return readFile(path).then(
    () => true,
    () => false,
  );
}

describe('model download', () => {
  const body = randomBytes(256 * 1024);
  let directory: string;
  let servers: FileServer[];

  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'model-download-'));
    servers = [];
  });

  afterEach(async () => {
    await Promise.all(servers.map((server) => server.close()));
    await rm(directory, { recursive: true, force: true });
  });

  const serve = async (options: FileServerOptions) => {
    const server = await startFileServer(options);
    servers.push(server);
    return server;
  };

  it('downloads with progress reported up to the full size and a verified checksum', async () => {
    const server = await serve({ body });
    const progress: DownloadProgress[] = [];
    const destination = join(directory, 'model.gguf');
    await downloadModel({
      url: `${server.url}/model.gguf`,
      destination,
      sha256: sha256(body),
      onProgress: (p) => progress.push(p),
    });
    expect(sha256(await readFile(destination))).toBe(sha256(body));
    expect(progress.length).toBeGreaterThan(1);
    expect(progress.at(-1)).toEqual({
      receivedBytes: body.length,
      totalBytes: body.length,
      resumedFromBytes: 0,
    });
    expect(await exists(`${destination}.part`)).toBe(false);
  });

  it('resumes with a Range request after the connection is cut mid-body', async () => {
    const server = await serve({ body, cutFirstResponseAt: 100_000 });
    const destination = join(directory, 'model.gguf');
    const progress: DownloadProgress[] = [];
    await downloadModel({
      url: `${server.url}/model.gguf`,
      destination,
      sha256: sha256(body),
      onProgress: (p) => progress.push(p),
    });
    const gets = server.requests.filter((request) => request.method === 'GET');
    expect(gets).toHaveLength(2);
    expect(gets[0]!.headers.range).toBeUndefined();
    const resumedFrom = Number(/^bytes=(\d+)-$/.exec(gets[1]!.headers.range ?? '')?.[1]);
    expect(resumedFrom).toBeGreaterThan(0);
    expect(resumedFrom).toBeLessThanOrEqual(100_000);
    expect(progress.at(-1)).toMatchObject({ receivedBytes: body.length, resumedFromBytes: resumedFrom });
    expect(sha256(await readFile(destination))).toBe(sha256(body));
  });

  it('continues a .part file left by an earlier run', async () => {
    const server = await serve({ body });
    const destination = join(directory, 'model.gguf');
    await writeFile(`${destination}.part`, body.subarray(0, 5000));
    await downloadModel({ url: `${server.url}/model.gguf`, destination, sha256: sha256(body) });
    expect(server.requests.find((request) => request.method === 'GET')?.headers.range).toBe('bytes=5000-');
    expect(sha256(await readFile(destination))).toBe(sha256(body));
  });

  it('starts over when the server ignores the Range header', async () => {
    const server = await serve({ body, ignoreRange: true });
    const destination = join(directory, 'model.gguf');
    await writeFile(`${destination}.part`, Buffer.from('stale bytes from another file'));
    await downloadModel({ url: `${server.url}/model.gguf`, destination, sha256: sha256(body) });
    expect(sha256(await readFile(destination))).toBe(sha256(body));
  });

  it('only verifies a .part file that is already complete (416 on resume)', async () => {
    const server = await serve({ body });
    const destination = join(directory, 'model.gguf');
    await writeFile(`${destination}.part`, body);
    await downloadModel({ url: `${server.url}/model.gguf`, destination, sha256: sha256(body) });
    expect(server.requests.map((request) => request.headers.range)).toEqual([`bytes=${body.length}-`]);
    expect(sha256(await readFile(destination))).toBe(sha256(body));
  });

  it('downloads once when two downloads of the same file run at the same time', async () => {
    const server = await serve({ body });
    const destination = join(directory, 'model.gguf');
    const download = () =>
      downloadModel({
        url: `${server.url}/model.gguf`,
        destination,
        sha256: sha256(body),
        warn: () => undefined,
        lockPollMs: 20,
      });
    await Promise.all([download(), download()]);
    expect(server.requests.filter((request) => request.method === 'GET')).toHaveLength(1);
    expect(sha256(await readFile(destination))).toBe(sha256(body));
    expect(await exists(`${destination}.lock`)).toBe(false);
  });

  it('takes over a lock left by a process that died', async () => {
    const server = await serve({ body });
    const destination = join(directory, 'model.gguf');
    await writeFile(`${destination}.lock`, '99999');
    const longAgo = new Date(Date.now() - 60_000);
    await utimes(`${destination}.lock`, longAgo, longAgo);
    await downloadModel({ url: `${server.url}/model.gguf`, destination, sha256: sha256(body) });
    expect(sha256(await readFile(destination))).toBe(sha256(body));
  });

  it('rejects a checksum mismatch and leaves no file behind', async () => {
    const server = await serve({ body });
    const destination = join(directory, 'model.gguf');
    const download = downloadModel({ url: `${server.url}/model.gguf`, destination, sha256: 'a'.repeat(64) });
    await expect(download).rejects.toMatchObject({
      code: 'INVALID_RESPONSE',
      message: expect.stringContaining('checksum'),
    });
    expect(await exists(destination)).toBe(false);
    expect(await exists(`${destination}.part`)).toBe(false);
  });

  it("checks the hub's X-Linked-Etag when no sha256 is pinned", async () => {
    const server = await serve({ body, linkedEtag: 'b'.repeat(64) });
    const destination = join(directory, 'model.gguf');
    await expect(downloadModel({ url: `${server.url}/model.gguf`, destination })).rejects.toMatchObject({
      code: 'INVALID_RESPONSE',
    });
    expect(server.requests[0]!.method).toBe('HEAD');
  });

  it('warns and keeps an unverifiable download when no checksum is known', async () => {
    const server = await serve({ body });
    const warnings: string[] = [];
    const destination = join(directory, 'model.gguf');
    await downloadModel({
      url: `${server.url}/model.gguf`,
      destination,
      warn: (message) => warnings.push(message),
    });
    expect(warnings).toEqual([expect.stringContaining('not verified')]);
    expect(sha256(await readFile(destination))).toBe(sha256(body));
  });

  it('fails with CONFIG on a missing file (404)', async () => {
    const server = await serve({ body, status: 404 });
    const download = downloadModel({
      url: `${server.url}/x.gguf`,
      destination: join(directory, 'x.gguf'),
      sha256: sha256(body),
    });
    await expect(download).rejects.toMatchObject({ code: 'CONFIG', details: { status: 404 } });
  });

  it('gives up after the attempts are spent on a server that keeps failing', async () => {
    const server = await serve({ body, status: 503 });
    const download = downloadModel({
      url: `${server.url}/x.gguf`,
      destination: join(directory, 'x.gguf'),
      sha256: sha256(body),
      maxAttempts: 2,
    });
    await expect(download).rejects.toMatchObject({ code: 'UPSTREAM_ERROR', details: { status: 503 } });
    expect(server.requests).toHaveLength(2);
  });

  it('fails at once on an error status whose body never ends (the body is discarded, not waited for)', async () => {
    const server = await serve({ body, status: 502, stallErrorBody: true });
    const download = downloadModel({
      url: `${server.url}/x.gguf`,
      destination: join(directory, 'x.gguf'),
      sha256: sha256(body),
      maxAttempts: 1,
      idleTimeoutMs: 60_000,
    });
    await expect(download).rejects.toMatchObject({ code: 'UPSTREAM_ERROR', details: { status: 502 } });
  }, 5_000);

  describe('through the embedded client', () => {
    const tiny = buildTinyGguf({ seed: 3 });

    it('downloads an hf: model into the cache on first use, then generates on it', async () => {
      const server = await serve({ body: tiny });
      const registry = new EmbeddedModelRegistry();
      const progress: DownloadProgress[] = [];
      const client = createEmbeddedModelClient({
        role: 'code',
        modelFile: `hf:someone/tiny-GGUF/tiny.gguf#sha256=${sha256(tiny)}`,
        cacheDir: directory,
        huggingFaceBaseUrl: server.url,
        registry,
        gpu: false,
        threads: 1,
        contextSize: 256,
        progressOutput: false,
        onDownloadProgress: (p) => progress.push(p),
      });
      expect((await client.checkHealth()).state).toBe('degraded');
      const generation = client.generate({ messages: [{ role: 'user', content: 'hi' }], maxTokens: 3 });
      expect((await client.checkHealth()).replicas[0]).toMatchObject({
        state: 'degraded',
        // what the load is doing: preparing, then "downloading tiny.gguf: N% (…)", then "loading tiny.gguf"
        lastError: expect.stringMatching(/^(preparing the model|downloading tiny\.gguf|loading tiny\.gguf)/),
      });
      const result = await generation;
      expect(result.usage?.completionTokens).toBe(3);
      expect(server.requests.map((r) => r.url)).toEqual(['/someone/tiny-GGUF/resolve/main/tiny.gguf']);
      expect(progress.at(-1)?.receivedBytes).toBe(tiny.length);
      expect(sha256(await readFile(join(directory, 'someone--tiny-GGUF', 'tiny.gguf')))).toBe(sha256(tiny));
      await client.close();
    });

    it('offline with an empty cache: a quick CONFIG error naming what to set', async () => {
      const closed = await serve({ body });
      await closed.close();
      servers = [];
      const client = createEmbeddedModelClient({
        role: 'code',
        cacheDir: directory,
        huggingFaceBaseUrl: closed.url,
        registry: new EmbeddedModelRegistry(),
        gpu: false,
        progressOutput: false,
        connectTimeoutMs: 2000,
      });
      const started = Date.now();
      const failure = client.generate({ messages: [{ role: 'user', content: 'hi' }] });
      await expect(failure).rejects.toMatchObject({ code: 'CONFIG' });
      const message = (await failure.catch((error: Error) => error.message)) as string;
      for (const variable of ['STARCODER_MODEL_FILE', 'MISTRAL_MODEL_FILE', 'MODEL_CACHE_DIR'])
        expect(message).toContain(variable);
      expect(Date.now() - started).toBeLessThan(3000);
      expect((await client.checkHealth()).state).toBe('down');
      await client.close();
    });
  });
});
